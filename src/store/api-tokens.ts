// REST API tokens. The plain token ("mk_<id>_<secret>") is shown once; Redis keeps only the
// SHA-256 of its 32-byte random secret (high entropy: a slow hash would add nothing), the owner
// (a console account, whose role and school are the token's scope) and the token's dates.
// An expiring token's hash is deleted by Redis itself at its expiry.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { text } from './validate.js';
import { defineScript, who, writeOne, type Actor } from './write.js';

export interface ApiToken {
  id: string;
  name: string;
  /** The console account the token acts as. */
  owner: string;
  /** The owner's school (none for a region admin): who may list and revoke the token. */
  school?: string;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
}

/** A token's use is written at most this often (no write per request). */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Tokens one account may hold at once: enough for every script, never unbounded. */
export const MAX_TOKENS_PER_ACCOUNT = 50;

const TOKEN = /^mk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

// Writes the use time only when the stored one is older than the resolution (two instances
// answering at once write once), and never brings back a token revoked in between.
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'lastUsedMs') or '0')
if tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'lastUsedMs', ARGV[1])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkTouchApiToken(key: string, now: string, resolution: string): Result<number, Context>;
  }
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();

function fromHash(hash: Record<string, string>): (ApiToken & { secretHash: string; lastUsedMs: number }) | undefined {
  if (!hash.id || !hash.secretHash || !hash.owner) return undefined;
  const lastUsedMs = Number(hash.lastUsedMs ?? 0);
  return {
    id: hash.id,
    name: hash.name ?? '',
    owner: hash.owner,
    ...(hash.school ? { school: hash.school } : {}),
    createdAt: hash.createdAt ?? '',
    ...(hash.expiresAt ? { expiresAt: hash.expiresAt } : {}),
    ...(lastUsedMs > 0 ? { lastUsedAt: new Date(lastUsedMs).toISOString() } : {}),
    secretHash: hash.secretHash,
    lastUsedMs,
  };
}

function publicToken(token: ApiToken & { secretHash?: string; lastUsedMs?: number }): ApiToken {
  const { secretHash, lastUsedMs, ...rest } = token;
  return rest;
}

export function createApiTokenStore(redis: Redis) {
  defineScript(redis, 'mkTouchApiToken', TOUCH, 1);

  /**
   * Ids whose hash Redis expired are dropped from the index sets (this one and all) as they are
   * met. Every create lists the owner's set first, so it holds at most one more than the limit,
   * and the set of all at most that per account.
   */
  async function load(ids: string[], index: string): Promise<ApiToken[]> {
    const rows = await readHashes(redis, ids.map((id) => keys.apiToken(id)));
    const gone = ids.filter((_, position) => !rows[position]?.id);
    // Two commands, not one MULTI: the sets need not share a Cluster slot.
    if (gone.length > 0) await Promise.all([redis.srem(index, ...gone), redis.srem(keys.apiTokens, ...gone)]);
    return rows.map(fromHash).filter((token) => token !== undefined).map(publicToken).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  return {
    /** Returns the token's record and the plain token, which nothing keeps. */
    async create(input: { owner: string; school?: string; name?: string; expiresAt?: number }, actor: Actor): Promise<{ token: ApiToken; plain: string }> {
      if (input.expiresAt !== undefined && input.expiresAt <= Date.now()) throw new ValidationError('a token must expire in the future');
      const held = await load(await redis.smembers(keys.apiTokensOf(input.owner)), keys.apiTokensOf(input.owner));
      if (held.length >= MAX_TOKENS_PER_ACCOUNT) throw new ConflictError(`${input.owner} already holds ${held.length} API tokens; revoke one first`);
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const token: ApiToken = {
        id,
        name: input.name === undefined ? '' : text(input.name, 'the token name'),
        owner: input.owner,
        ...(input.school ? { school: input.school } : {}),
        createdAt: new Date().toISOString(),
        ...(input.expiresAt !== undefined ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
      };
      const failed = await writeOne(redis, {
        key: keys.apiToken(id),
        mode: 'create',
        set: { ...(token as unknown as Record<string, string>), secretHash: digest(secret).toString('hex') },
        addTo: [[keys.apiTokens, id], [keys.apiTokensOf(token.owner), id]],
        ...(input.expiresAt !== undefined ? { expireAt: input.expiresAt } : {}),
        audit: { ...who(actor), action: 'token.create', target: id, school: token.school, detail: { owner: token.owner, name: token.name, expiresAt: token.expiresAt ?? null } },
        // A token is a credential of its account.
        change: { entity: 'account', id: token.owner },
      });
      if (failed) throw new ConflictError('a generated token id collided with an existing one; try again');
      return { token, plain: `mk_${id}_${secret}` };
    },

    async get(id: string): Promise<ApiToken | undefined> {
      const token = fromHash(await redis.hgetall(keys.apiToken(id)));
      return token && publicToken(token);
    },

    /** Every token, or an account's. */
    async list(owner?: string): Promise<ApiToken[]> {
      const index = owner === undefined ? keys.apiTokens : keys.apiTokensOf(owner);
      return load(await redis.smembers(index), index);
    },

    async revoke(token: ApiToken, actor: Actor): Promise<void> {
      const failed = await writeOne(redis, {
        key: keys.apiToken(token.id),
        mode: 'delete',
        removeFrom: [[keys.apiTokens, token.id], [keys.apiTokensOf(token.owner), token.id]],
        audit: { ...who(actor), action: 'token.revoke', target: token.id, school: token.school, detail: { owner: token.owner, name: token.name } },
        change: { entity: 'account', id: token.owner },
      });
      if (failed) throw new NotFoundError(`API token ${token.id} does not exist`);
    },

    /**
     * The token a plain bearer value names, when its secret matches and it has not expired;
     * notes its use (at most once a minute). Undefined for anything else, said no more precisely.
     */
    async verify(plain: string, now = Date.now()): Promise<ApiToken | undefined> {
      const match = TOKEN.exec(plain);
      if (!match) return undefined;
      const stored = fromHash(await redis.hgetall(keys.apiToken(match[1]!)));
      if (!stored || !timingSafeEqual(digest(match[2]!), Buffer.from(stored.secretHash, 'hex'))) return undefined;
      if (stored.expiresAt !== undefined && Date.parse(stored.expiresAt) <= now) return undefined;
      if (now - stored.lastUsedMs >= LAST_USED_RESOLUTION_MS) await redis.mkTouchApiToken(keys.apiToken(stored.id), String(now), String(LAST_USED_RESOLUTION_MS));
      return publicToken(stored);
    },
  };
}

export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;
