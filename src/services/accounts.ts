// Console accounts: a region admin creates any; a school admin creates and manages the teachers
// of their school; everyone with an account changes their own password. An account is a Wi-Fi
// login as well only when `wifiRole` says so (written together with the account).
import { ForbiddenError, ValidationError } from '../errors.js';
import { verifyPassword } from '../security/password.js';
import type { Account, AccountStatus, AccountStore, NewAccount, PublicAccount } from '../store/accounts.js';
import type { UserStore } from '../store/users.js';
import { allow, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export interface AccountServiceDeps {
  accounts: Pick<AccountStore, 'get' | 'add' | 'list' | 'setStatus' | 'setPassword'>;
  users: Pick<UserStore, 'creation'>;
}

/** Said when the current password given for a change is wrong (the console shows it translated). */
export const WRONG_CURRENT_PASSWORD = 'the current password is not right';

export function createAccountService({ accounts, users }: AccountServiceDeps) {
  /** The account a principal may manage: a school admin only the teachers of their school. */
  async function manageable(principal: Principal, username: string): Promise<Account> {
    allow(principal, MANAGERS, 'manage console accounts');
    const account = requireInScope(principal, await accounts.get(username), `console account "${username}" does not exist`);
    if (principal.kind === 'school-admin' && account.role !== 'teacher') throw new ForbiddenError('a school admin manages only the teachers of their school');
    return account;
  }

  return {
    async create(principal: Principal, input: NewAccount & { wifiRole?: string }): Promise<PublicAccount & { wifiRole?: string }> {
      allow(principal, MANAGERS, 'create console accounts');
      if (principal.kind === 'school-admin' && input.role !== 'teacher') throw new ForbiddenError('a school admin creates only teacher accounts');
      const school = input.role === 'region-admin' ? input.school : schoolFor(principal, input.school, 'create accounts');
      const actor = auditOf(principal);
      const wifi = input.wifiRole === undefined
        ? []
        : [(await users.creation({ username: input.username, password: input.password, role: input.wifiRole, ...(input.name ? { name: input.name } : {}), ...(school ? { school } : {}) }, actor)).op];
      const account = await accounts.add({ ...input, ...(school ? { school } : {}) }, actor, wifi);
      return input.wifiRole === undefined ? account : { ...account, wifiRole: input.wifiRole };
    },

    /** Every account in the principal's scope, or one school's (a confined principal naming another is refused). */
    async list(principal: Principal, school?: string): Promise<PublicAccount[]> {
      allow(principal, MANAGERS, 'list console accounts');
      return accounts.list(schoolFor(principal, school, 'list accounts'));
    },

    async setStatus(principal: Principal, username: string, status: AccountStatus): Promise<PublicAccount> {
      const account = await manageable(principal, username);
      if ('username' in principal && principal.username === account.username) {
        throw new ValidationError('you cannot disable or enable your own account');
      }
      return accounts.setStatus(account.username, status, auditOf(principal));
    },

    async resetPassword(principal: Principal, username: string, password: string): Promise<{ username: string; passwordChanged: true }> {
      const account = await manageable(principal, username);
      await accounts.setPassword(account.username, password, auditOf(principal));
      return { username: account.username, passwordChanged: true };
    },

    /** The signed-in person's own password; the current one must be right. */
    async changeOwnPassword(principal: Principal, current: string, next: string): Promise<{ username: string; passwordChanged: true }> {
      if (principal.kind !== 'region-admin' && principal.kind !== 'school-admin' && principal.kind !== 'teacher') throw new ForbiddenError('only a console account has a password of its own');
      const account = await accounts.get(principal.username);
      if (!account || !(await verifyPassword(current, account.passwordHash))) throw new ValidationError(WRONG_CURRENT_PASSWORD);
      await accounts.setPassword(account.username, next, auditOf(principal));
      return { username: account.username, passwordChanged: true };
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
