// Console sign-in sessions: a random id (the cookie holds it, signed) → who and since when.
// A session ends after IDLE seconds without a request or ABSOLUTE seconds after sign-in,
// whichever comes first; both are checked against the clock here (Redis's TTL only clears
// the key). An account's session ids are kept in a sorted set scored by their absolute end, so
// all of them can be ended at once (sign-out everywhere, a password change) and the set sheds
// the ones that have run out each time one starts: nothing grows without bound.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export interface ConsoleSessionLimits {
  idleSeconds: number;
  absoluteSeconds: number;
}

export const DEFAULT_CONSOLE_SESSION_LIMITS: ConsoleSessionLimits = { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 };

export interface ConsoleSession {
  id: string;
  username: string;
  /** Epoch ms. */
  createdAt: number;
  lastSeenAt: number;
}

export type SessionLookup = { session: ConsoleSession } | { ended: 'unknown' | 'idle' | 'absolute' };

export function createConsoleSessionStore(redis: Redis, limits: ConsoleSessionLimits = DEFAULT_CONSOLE_SESSION_LIMITS, now: () => number = Date.now) {
  const idleMs = limits.idleSeconds * 1000;
  const absoluteMs = limits.absoluteSeconds * 1000;
  /** Until the sooner of the idle and the absolute end. */
  const ttlMs = (session: Pick<ConsoleSession, 'createdAt'>, at: number) => Math.max(1, Math.min(idleMs, session.createdAt + absoluteMs - at));

  async function end(id: string, username?: string): Promise<void> {
    const pipeline = redis.pipeline().del(keys.consoleSession(id));
    if (username) pipeline.zrem(keys.consoleSessionsOf(username), id);
    await pipeline.exec();
  }

  return {
    end,

    async start(username: string): Promise<ConsoleSession> {
      const at = now();
      const session: ConsoleSession = { id: randomBytes(32).toString('base64url'), username, createdAt: at, lastSeenAt: at };
      const index = keys.consoleSessionsOf(username);
      // Two keys of different slots: a pipeline, not a script. An index entry without its
      // session is harmless and is shed when its absolute end passes.
      await redis.pipeline()
        .zremrangebyscore(index, '-inf', at)
        .zadd(index, at + absoluteMs, session.id)
        .pexpire(index, absoluteMs)
        .hset(keys.consoleSession(session.id), { username, createdAt: String(at), lastSeenAt: String(at) })
        .pexpire(keys.consoleSession(session.id), ttlMs(session, at))
        .exec();
      return session;
    },

    /** The live session with this id; an idle or too old one is ended and said so. */
    async find(id: string): Promise<SessionLookup> {
      const hash = await redis.hgetall(keys.consoleSession(id));
      if (!hash.username || !hash.createdAt || !hash.lastSeenAt) return { ended: 'unknown' };
      const session: ConsoleSession = { id, username: hash.username, createdAt: Number(hash.createdAt), lastSeenAt: Number(hash.lastSeenAt) };
      const at = now();
      const ended = at - session.createdAt >= absoluteMs ? 'absolute' : at - session.lastSeenAt >= idleMs ? 'idle' : undefined;
      if (ended) {
        await end(id, session.username);
        return { ended };
      }
      return { session };
    },

    /** A request was made: the idle clock starts again (never past the absolute end). */
    async touch(session: ConsoleSession): Promise<void> {
      const at = now();
      await redis.pipeline()
        .hset(keys.consoleSession(session.id), 'lastSeenAt', String(at))
        .pexpire(keys.consoleSession(session.id), ttlMs(session, at))
        .exec();
    },

    /** Ends every session of the account but `keep`; answers how many were ended. */
    async endAll(username: string, keep?: string): Promise<number> {
      const index = keys.consoleSessionsOf(username);
      const ids = (await redis.zrange(index, 0, -1)).filter((id) => id !== keep);
      if (ids.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.del(keys.consoleSession(id));
      pipeline.zrem(index, ...ids);
      await pipeline.exec();
      return ids.length;
    },
  };
}

export type ConsoleSessionStore = ReturnType<typeof createConsoleSessionStore>;
