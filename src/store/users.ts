// Wi-Fi users: one per person, with a network role (what the Wi-Fi gives them). Console accounts
// are another store (accounts.ts). Usernames are case-insensitive and stored in lower case.
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { ntPasswordHash } from '../security/md4.js';
import { hashPassword } from '../security/password.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { expiry, slug, text } from './validate.js';
import { who, writeAll, writeOne, type Actor, type WriteOp } from './write.js';

export type UserStatus = 'active' | 'disabled';

export interface User {
  username: string;
  name: string;
  role: string;
  school?: string;
  status: UserStatus;
  expiresAt?: string;
  passwordHash: string;
  /** NT hash (hex) for MS-CHAPv2, kept only when the user's school opted in. */
  ntHash?: string;
  createdAt: string;
}

export type PublicUser = Omit<User, 'passwordHash' | 'ntHash'>;

export interface NewUser {
  username: string;
  password: string;
  role: string;
  name?: string;
  school?: string;
  expiresAt?: string;
}

export const MIN_PASSWORD = 6;
const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
// A username shaped like a MAC would be taken for MAC authentication of a device.
const MAC_LIKE = /^[0-9a-f]{2}([-:.]?[0-9a-f]{2}){5}$|^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/;

export function normalizeUsername(input: string): string {
  const username = input.trim().toLowerCase();
  if (MAC_LIKE.test(username)) throw new ValidationError(`username "${input}" looks like a MAC address, which is reserved for devices`);
  if (/[^\p{ASCII}]/u.test(username)) {
    throw new ValidationError(`username "${input.trim()}": Cyrillic and other non-Latin letters are not supported in usernames (access points and devices garble them); use a Latin transliteration such as "aruzhan"`);
  }
  if (!USERNAME.test(username)) {
    throw new ValidationError(`username "${input}" must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`);
  }
  return username;
}

export function checkPassword(password: string, min = MIN_PASSWORD): string {
  if ([...password].length < min) throw new ValidationError(`the password must have at least ${min} characters`);
  if (password.length > 256) throw new ValidationError('the password must have at most 256 characters');
  return password;
}

function fromHash(hash: Record<string, string>): User | undefined {
  if (!hash.username || !hash.passwordHash) return undefined;
  const user: User = {
    username: hash.username,
    name: hash.name ?? hash.username,
    role: hash.role ?? 'student',
    status: hash.status === 'disabled' ? 'disabled' : 'active',
    passwordHash: hash.passwordHash,
    createdAt: hash.createdAt ?? '',
  };
  if (hash.school) user.school = hash.school;
  if (hash.expiresAt) user.expiresAt = hash.expiresAt;
  if (hash.ntHash) user.ntHash = hash.ntHash;
  return user;
}

export function publicUser(user: User): PublicUser {
  const { passwordHash, ntHash, ...rest } = user;
  return rest;
}

interface Checks {
  requireSchool(id: string): Promise<{ mschapv2: boolean }>;
  requireRole(name: string): Promise<unknown>;
}

export function createUserStore(redis: Redis, checks: Checks) {
  async function get(username: string): Promise<User | undefined> {
    return fromHash(await redis.hgetall(keys.user(normalizeUsername(username))));
  }

  async function require(username: string): Promise<User> {
    const user = await get(username);
    if (!user) throw new NotFoundError(`user "${username}" does not exist`);
    return user;
  }

  /** Validates everything but the uniqueness against Redis; no I/O besides the role/school checks. */
  async function prepare(input: NewUser, schoolsSeen = new Map<string, { mschapv2: boolean }>(), rolesSeen = new Set<string>()): Promise<User> {
    const username = normalizeUsername(input.username);
    const role = slug(input.role, 'role');
    const school = input.school ? slug(input.school, 'school id') : undefined;
    if (!rolesSeen.has(role)) await checks.requireRole(role);
    rolesSeen.add(role);
    if (school && !schoolsSeen.has(school)) schoolsSeen.set(school, await checks.requireSchool(school));
    checkPassword(input.password);
    const user: User = {
      username,
      name: input.name ? text(input.name, 'the display name') : username,
      role,
      status: 'active',
      passwordHash: '',
      createdAt: new Date().toISOString(),
    };
    if (school) user.school = school;
    if (input.expiresAt) user.expiresAt = new Date(expiry(input.expiresAt)).toISOString();
    if (school && schoolsSeen.get(school)?.mschapv2) user.ntHash = ntPasswordHash(input.password).toString('hex');
    return user;
  }

  function createOp(user: User, actor: Actor, action: string): WriteOp {
    return {
      key: keys.user(user.username),
      mode: 'create',
      set: Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined)),
      addTo: [[keys.users, user.username], ...(user.school ? [[keys.usersOfSchool(user.school), user.username] as [string, string]] : [])],
      audit: { ...who(actor), action, target: user.username, school: user.school, detail: { role: user.role } },
      change: { entity: 'user', id: user.username },
    };
  }

  async function update(user: User, change: { set?: Record<string, string>; unset?: string[] }, actor: Actor, action: string, detail?: Record<string, unknown>): Promise<void> {
    const failed = await writeOne(redis, {
      key: keys.user(user.username),
      mode: 'update',
      ...change,
      audit: { ...who(actor), action, target: user.username, school: user.school, ...(detail ? { detail } : {}) },
      change: { entity: 'user', id: user.username },
    });
    if (failed) throw new NotFoundError(`user "${user.username}" does not exist`);
  }

  /** A new user, checked and hashed, as a write op (to be written alone or with an account). */
  async function creation(input: NewUser, actor: Actor, action = 'user.add'): Promise<{ user: PublicUser; op: WriteOp }> {
    const user = await prepare(input);
    user.passwordHash = await hashPassword(input.password);
    return { user: publicUser(user), op: createOp(user, actor, action) };
  }

  return {
    get,
    require,
    prepare,

    creation,

    async add(input: NewUser, actor: Actor): Promise<PublicUser> {
      const { user, op } = await creation(input, actor);
      const failed = await writeOne(redis, op);
      if (failed) throw new ConflictError(`user "${user.username}" already exists`);
      return user;
    },

    /** All or nothing: returns the usernames that already exist (then nothing was written). */
    async addMany(users: { user: User; password: string }[], actor: Actor): Promise<string[]> {
      const hashed = await Promise.all(users.map(async ({ user, password }) => ({ ...user, passwordHash: await hashPassword(password) })));
      const failures = await writeAll(redis, hashed.map((user) => createOp(user, actor, 'user.import')));
      return failures.map((failure) => hashed[failure.index]!.username);
    },

    async existing(usernames: string[]): Promise<Set<string>> {
      if (usernames.length === 0) return new Set();
      const pipeline = redis.pipeline();
      for (const username of usernames) pipeline.exists(keys.user(username));
      const rows = (await pipeline.exec()) ?? [];
      return new Set(usernames.filter((_, index) => rows[index]?.[1] === 1));
    },

    async setStatus(username: string, status: UserStatus, actor: Actor): Promise<void> {
      await update(await require(username), { set: { status } }, actor, status === 'disabled' ? 'user.disable' : 'user.enable');
    },

    /** An ISO date or time, or null: no expiry. */
    async setExpiry(username: string, expiresAt: string | null, actor: Actor): Promise<PublicUser> {
      const user = await require(username);
      if (expiresAt === null) {
        await update(user, { unset: ['expiresAt'] }, actor, 'user.expiry', { expiresAt: null });
        const { expiresAt: _gone, ...rest } = publicUser(user);
        return rest;
      }
      const at = new Date(expiry(expiresAt)).toISOString();
      await update(user, { set: { expiresAt: at } }, actor, 'user.expiry', { expiresAt: at });
      return { ...publicUser(user), expiresAt: at };
    },

    async setPassword(username: string, password: string, actor: Actor): Promise<void> {
      const user = await require(username);
      checkPassword(password);
      const school = user.school ? await checks.requireSchool(user.school).catch(() => undefined) : undefined;
      const set: Record<string, string> = { passwordHash: await hashPassword(password) };
      if (school?.mschapv2) set.ntHash = ntPasswordHash(password).toString('hex');
      await update(user, { set }, actor, 'user.passwd');
    },

    async list(school?: string): Promise<PublicUser[]> {
      const names = (await redis.smembers(school ? keys.usersOfSchool(school) : keys.users)).sort();
      const rows = await readHashes(redis, names.map((name) => keys.user(name)));
      return rows.map(fromHash).filter((user): user is User => user !== undefined).map(publicUser);
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
