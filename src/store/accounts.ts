// Console accounts: management identities (region admin, school admin, teacher), kept apart from
// Wi-Fi users so that RADIUS and the portal, which look up users only, never see them. A person
// who also needs Wi-Fi gets a user as well, when an admin asks for it (written in the same step).
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { hashPassword } from '../security/password.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { checkPassword, normalizeUsername } from './users.js';
import { slug, text } from './validate.js';
import { who, writeAll, writeOne, type Actor, type WriteOp } from './write.js';

export const CONSOLE_ROLES = ['teacher', 'school-admin', 'region-admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];
export type AccountStatus = 'active' | 'disabled';

export const MIN_CONSOLE_PASSWORD = 10;

export interface Account {
  username: string;
  name: string;
  role: ConsoleRole;
  /** Every role but region-admin belongs to one school. */
  school?: string;
  status: AccountStatus;
  passwordHash: string;
  createdAt: string;
  /** Console sessions started before this are no longer valid. */
  passwordChangedAt?: string;
}

export type PublicAccount = Omit<Account, 'passwordHash'>;

export interface NewAccount {
  username: string;
  password: string;
  role: string;
  name?: string;
  school?: string;
}

export function consoleRole(value: string): ConsoleRole {
  if (!(CONSOLE_ROLES as readonly string[]).includes(value)) throw new ValidationError(`the console role must be one of ${CONSOLE_ROLES.join(', ')}`);
  return value as ConsoleRole;
}

function fromHash(hash: Record<string, string>): Account | undefined {
  if (!hash.username || !hash.passwordHash || !hash.role) return undefined;
  const account: Account = {
    username: hash.username,
    name: hash.name ?? hash.username,
    role: hash.role as ConsoleRole,
    status: hash.status === 'disabled' ? 'disabled' : 'active',
    passwordHash: hash.passwordHash,
    createdAt: hash.createdAt ?? '',
  };
  if (hash.school) account.school = hash.school;
  if (hash.passwordChangedAt) account.passwordChangedAt = hash.passwordChangedAt;
  return account;
}

export function publicAccount(account: Account): PublicAccount {
  const { passwordHash, ...rest } = account;
  return rest;
}

function createOp(account: Account, actor: Actor, action: string, detail: Record<string, unknown> = {}): WriteOp {
  return {
    key: keys.account(account.username),
    mode: 'create',
    set: Object.fromEntries(Object.entries(account).filter(([, value]) => value !== undefined)),
    addTo: [[keys.accounts, account.username], ...(account.school ? [[keys.accountsOfSchool(account.school), account.username] as [string, string]] : [])],
    audit: { ...who(actor), action, target: account.username, school: account.school, detail: { role: account.role, ...detail } },
    change: { entity: 'account', id: account.username },
  };
}

export function createAccountStore(redis: Redis, checks: { requireSchool(id: string): Promise<unknown> }) {
  async function get(username: string): Promise<Account | undefined> {
    return fromHash(await redis.hgetall(keys.account(normalizeUsername(username))));
  }

  async function require(username: string): Promise<Account> {
    const account = await get(username);
    if (!account) throw new NotFoundError(`console account "${username}" does not exist`);
    return account;
  }

  async function update(account: Account, set: Record<string, string>, actor: Actor, action: string): Promise<void> {
    const failed = await writeOne(redis, {
      key: keys.account(account.username),
      mode: 'update',
      set,
      audit: { ...who(actor), action, target: account.username, school: account.school },
      change: { entity: 'account', id: account.username },
    });
    if (failed) throw new NotFoundError(`console account "${account.username}" does not exist`);
  }

  return {
    get,
    require,

    /** Creates the account; with `alsoWrite` (a Wi-Fi user for the same person) both or neither. */
    async add(input: NewAccount, actor: Actor, alsoWrite: WriteOp[] = []): Promise<PublicAccount> {
      const role = consoleRole(input.role);
      const school = input.school ? slug(input.school, 'school id') : undefined;
      if (role !== 'region-admin' && !school) throw new ValidationError(`a ${role} belongs to a school`);
      if (role === 'region-admin' && school) throw new ValidationError('a region admin manages every school and belongs to none');
      if (school) await checks.requireSchool(school);
      checkPassword(input.password, MIN_CONSOLE_PASSWORD);
      const account: Account = {
        username: normalizeUsername(input.username),
        name: input.name ? text(input.name, 'the display name') : normalizeUsername(input.username),
        role,
        status: 'active',
        passwordHash: await hashPassword(input.password),
        createdAt: new Date().toISOString(),
        ...(school ? { school } : {}),
      };
      const [failed] = await writeAll(redis, [createOp(account, actor, 'account.create', { wifi: alsoWrite.length > 0 }), ...alsoWrite]);
      if (failed?.index === 0) throw new ConflictError(`console account "${account.username}" already exists`);
      if (failed) throw new ConflictError(`a Wi-Fi user "${account.username}" already exists`);
      return publicAccount(account);
    },

    async setStatus(username: string, status: AccountStatus, actor: Actor): Promise<PublicAccount> {
      const account = await require(username);
      await update(account, { status }, actor, status === 'disabled' ? 'account.disable' : 'account.enable');
      return publicAccount({ ...account, status });
    },

    async setPassword(username: string, password: string, actor: Actor): Promise<void> {
      const account = await require(username);
      checkPassword(password, MIN_CONSOLE_PASSWORD);
      await update(account, { passwordHash: await hashPassword(password), passwordChangedAt: new Date().toISOString() }, actor, 'account.passwd');
    },

    async list(school?: string): Promise<PublicAccount[]> {
      const names = (await redis.smembers(school ? keys.accountsOfSchool(school) : keys.accounts)).sort();
      const rows = await readHashes(redis, names.map((name) => keys.account(name)));
      return rows.map(fromHash).filter((account): account is Account => account !== undefined).map(publicAccount);
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;

export const MIGRATION_ACTOR = 'mektep:upgrade';

/**
 * Schema migration: users that carried a console role (made by the old `mektep admin create`)
 * become console accounts with the same password, and their Wi-Fi login is removed — it was a
 * side effect nobody asked for. Each move is in the audit log (account.migrate, user.remove).
 */
export async function moveConsoleUsersToAccounts(redis: Redis): Promise<number> {
  const names = await redis.smembers(keys.users);
  const rows = await readHashes(redis, names.map((name) => keys.user(name)));
  const ops: WriteOp[] = [];
  for (const hash of rows) {
    if (!hash.username || !hash.passwordHash || !hash.consoleRole) continue;
    const username = hash.username;
    const school = hash.school || undefined;
    const account: Account = {
      username,
      name: hash.name ?? username,
      role: consoleRole(hash.consoleRole),
      status: hash.status === 'disabled' ? 'disabled' : 'active',
      passwordHash: hash.passwordHash,
      createdAt: hash.createdAt ?? new Date().toISOString(),
      ...(school && hash.consoleRole !== 'region-admin' ? { school } : {}),
    };
    ops.push(
      { ...createOp(account, MIGRATION_ACTOR, 'account.migrate', { wifi: 'removed', networkRole: hash.role }), mode: 'upsert' },
      {
        key: keys.user(username),
        mode: 'delete',
        removeFrom: [[keys.users, username], ...(school ? [[keys.usersOfSchool(school), username] as [string, string]] : [])],
        audit: { actor: MIGRATION_ACTOR, action: 'user.remove', target: username, school, detail: { reason: 'console account without a Wi-Fi login' } },
        change: { entity: 'user', id: username },
      },
    );
  }
  await writeAll(redis, ops);
  return ops.length / 2;
}
