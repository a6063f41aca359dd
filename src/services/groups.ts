// Named groups of students for lesson focus: teachers and admins of a school manage its groups
// (a teacher names a class once, then starts focus for it by name); region-wide principals any.
import type { Logger } from 'pino';
import { ValidationError } from '../errors.js';
import { parseCsv } from '../store/csv.js';
import type { Group, GroupStore } from '../store/groups.js';
import { IMPORT_COLUMNS } from '../store/user-import.js';
import type { UserStore } from '../store/users.js';
import { allow, auditOf, MANAGERS, schoolFor, type Principal } from './principal.js';

const MANAGERS_OF_GROUPS: Principal['kind'][] = [...MANAGERS, 'teacher'];

export interface GroupServiceDeps {
  groups: Pick<GroupStore, 'get' | 'add' | 'set' | 'list' | 'remove'>;
  users: Pick<UserStore, 'get'>;
  log?: Pick<Logger, 'info'> | undefined;
}

export function createGroupService({ groups, users, log }: GroupServiceDeps) {
  function scope(principal: Principal, school: string | undefined, what: string): string {
    allow(principal, MANAGERS_OF_GROUPS, what);
    const named = schoolFor(principal, school, what);
    if (!named) throw new ValidationError('name the school (--school)');
    return named;
  }

  /** Every member must be a user of the school (an unknown name is a typo, not a future pupil). */
  async function checkMembers(school: string, members: string[]): Promise<void> {
    const found = await Promise.all(members.map((username) => users.get(username)));
    const outside = members.filter((_, index) => found[index]?.school !== school);
    if (outside.length > 0) throw new ValidationError(`not a user of ${school}: ${outside.slice(0, 10).join(', ')}${outside.length > 10 ? ` and ${outside.length - 10} more` : ''}`);
  }

  return {
    async add(principal: Principal, school: string | undefined, name: string, members: string[]): Promise<Group> {
      const at = scope(principal, school, 'manage groups');
      await checkMembers(at, members);
      const group = await groups.add(at, name, members, auditOf(principal));
      log?.info({ school: at, group: group.name, members: group.members.length, by: auditOf(principal).actor }, 'group added');
      return group;
    },

    async set(principal: Principal, school: string | undefined, name: string, members: string[]): Promise<Group> {
      const at = scope(principal, school, 'manage groups');
      await checkMembers(at, members);
      const group = await groups.set(at, name, members, auditOf(principal));
      log?.info({ school: at, group: group.name, members: group.members.length, by: auditOf(principal).actor }, 'group changed');
      return group;
    },

    async list(principal: Principal, school: string | undefined): Promise<Group[]> {
      return groups.list(scope(principal, school, 'see groups'));
    },

    async remove(principal: Principal, school: string | undefined, name: string): Promise<void> {
      const at = scope(principal, school, 'manage groups');
      await groups.remove(at, name, auditOf(principal));
      log?.info({ school: at, group: name, by: auditOf(principal).actor }, 'group removed');
    },
  };
}

/** The usernames of a CSV shaped like a user import (a user import's file works as it is). */
export function membersOfCsv(csv: string): string[] {
  return parseCsv(csv, IMPORT_COLUMNS, ['username']).map(({ row }) => row.username ?? '').filter(Boolean);
}

export type GroupService = ReturnType<typeof createGroupService>;
