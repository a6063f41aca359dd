// Schools: region-wide principals add and change them; a school admin or teacher sees their own.
import type { RoleStore } from '../store/roles.js';
import type { School, SchoolChanges, SchoolInput, SchoolStore } from '../store/schools.js';
import type { UserStore } from '../store/users.js';
import { allow, auditOf, confinedTo, REGION_WIDE, type Principal } from './principal.js';

export interface SchoolServiceDeps {
  schools: Pick<SchoolStore, 'list' | 'get' | 'require' | 'add' | 'update'>;
  roles: Pick<RoleStore, 'list' | 'add'>;
  users: Pick<UserStore, 'list'>;
}

export function createSchoolService({ schools, roles, users }: SchoolServiceDeps) {
  return {
    async list(principal: Principal): Promise<School[]> {
      allow(principal, [...REGION_WIDE, 'school-admin', 'teacher'], 'list schools');
      const own = confinedTo(principal);
      if (own === undefined) return schools.list();
      const school = await schools.get(own);
      return school ? [school] : [];
    },

    async add(principal: Principal, input: SchoolInput): Promise<School> {
      allow(principal, REGION_WIDE, 'add schools');
      return schools.add(input, auditOf(principal));
    },

    /** Turning MS-CHAPv2 off deletes the school's users' NT hashes; `users` is how many it has. */
    async set(principal: Principal, id: string, changes: SchoolChanges): Promise<{ school: School; users: number }> {
      allow(principal, REGION_WIDE, 'change schools');
      await schools.require(id);
      const members = (await users.list(id)).map((user) => user.username);
      return { school: await schools.update(id, changes, auditOf(principal), members), users: members.length };
    },

    async listRoles(principal: Principal): Promise<string[]> {
      allow(principal, [...REGION_WIDE, 'school-admin', 'teacher'], 'list roles');
      return roles.list();
    },

    async addRole(principal: Principal, name: string): Promise<string> {
      allow(principal, REGION_WIDE, 'add network roles');
      return roles.add(name, auditOf(principal));
    },
  };
}

export type SchoolService = ReturnType<typeof createSchoolService>;
