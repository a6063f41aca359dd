// Wi-Fi users: region-wide principals manage all, a school admin its school's users (another
// school's user is answered as not existing). Disabling one ends their live sessions at once.
import type { EnforcementResult, Enforcer } from '../enforcement/enforcer.js';
import { generatePassword } from '../security/password.js';
import { importUsers, type ImportReport } from '../store/user-import.js';
import type { NewUser, PublicUser, User, UserStatus, UserStore } from '../store/users.js';
import { allow, auditActor, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export interface UserServiceDeps {
  users: Pick<UserStore, 'get' | 'add' | 'list' | 'setStatus' | 'setPassword' | 'setExpiry' | 'prepare' | 'existing' | 'addMany'>;
  enforcer: Pick<Enforcer, 'disconnectUser'>;
}

export interface UserFilter {
  school?: string;
  /** Part of the username or display name, any case. */
  search?: string;
  role?: string;
}

export function createUserService({ users, enforcer }: UserServiceDeps) {
  async function inScope(principal: Principal, username: string): Promise<User> {
    allow(principal, MANAGERS, 'manage users');
    return requireInScope(principal, await users.get(username), `user "${username}" does not exist`);
  }

  return {
    /** Without a password one is generated and returned once (`generatedPassword`). */
    async add(principal: Principal, input: Omit<NewUser, 'password'> & { password?: string }): Promise<PublicUser & { generatedPassword?: string }> {
      allow(principal, MANAGERS, 'add users');
      const school = schoolFor(principal, input.school, 'add users');
      const password = input.password ?? generatePassword();
      const user = await users.add({ ...input, password, ...(school ? { school } : {}) }, auditOf(principal));
      return input.password === undefined ? { ...user, generatedPassword: password } : user;
    },

    /** All lines or none; a school admin's file may name only their school (or none: theirs). */
    async import(principal: Principal, csv: string, options: { dryRun: boolean }): Promise<ImportReport> {
      allow(principal, MANAGERS, 'import users');
      return importUsers(users, csv, { dryRun: options.dryRun, actor: auditOf(principal), school: schoolFor(principal, undefined, 'import users') });
    },

    async list(principal: Principal, filter: UserFilter = {}): Promise<PublicUser[]> {
      allow(principal, MANAGERS, 'list users');
      const school = schoolFor(principal, filter.school, 'list users');
      const needle = filter.search?.trim().toLowerCase();
      return (await users.list(school)).filter((user) => (!needle || user.username.includes(needle) || user.name.toLowerCase().includes(needle)) && (!filter.role || user.role === filter.role));
    },

    async get(principal: Principal, username: string): Promise<PublicUser> {
      const { passwordHash, ntHash, ...user } = await inScope(principal, username);
      return user;
    },

    /** Disabling also disconnects the user's live sessions (`sessions`). */
    async setStatus(principal: Principal, username: string, status: UserStatus): Promise<{ username: string; status: UserStatus; sessions?: EnforcementResult[] }> {
      const user = await inScope(principal, username);
      await users.setStatus(user.username, status, auditOf(principal));
      if (status === 'active') return { username: user.username, status };
      // A disabled user's live sessions end now, not at their next timeout.
      return { username: user.username, status, sessions: await enforcer.disconnectUser(user.username, 'account disabled', auditActor(principal)) };
    },

    /** Without a password one is generated and returned once (`generatedPassword`). */
    async resetPassword(principal: Principal, username: string, password?: string): Promise<{ username: string; passwordChanged: true; generatedPassword?: string }> {
      const user = await inScope(principal, username);
      const chosen = password ?? generatePassword();
      await users.setPassword(user.username, chosen, auditOf(principal));
      return { username: user.username, passwordChanged: true, ...(password === undefined ? { generatedPassword: chosen } : {}) };
    },

    /** An ISO date (end of that day, UTC) or time; null: never expires. */
    async setExpiry(principal: Principal, username: string, expiresAt: string | null): Promise<PublicUser> {
      const user = await inScope(principal, username);
      return users.setExpiry(user.username, expiresAt, auditOf(principal));
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
