// Failed password checks per user per minute, counted in Redis so every Mektep instance shares
// the count. Hashing is deliberately slow: a NAS (or someone behind it) guessing one user's
// password must not be able to keep the CPU busy. An attempt is counted before its check (so
// parallel guesses cannot all be checked) and given back when the password was right, so a
// user who signs in correctly many times a minute is never told to wait.
import type { ClientContext, Redis, Result } from 'ioredis';
import { DUPLICATE_WINDOW_MS, keys } from './keys.js';
import { defineScript } from './write.js';

export const MAX_CHECKS_PER_MINUTE = 10;
const WINDOW_SECONDS = 60;

// One round trip, atomic: the first attempt of a window starts its minute. KEYS[2], when given,
// is the Access-Request's own record (transport.ts requestIdentity, a digest of the datagram,
// User-Name included): a retransmission of it reaching another worker or instance gets the
// count the first copy got and counts nothing (RFC 5080: one request, one decision).
// ARGV: the window (s), the record's life (ms).
const COUNT = `
local recorded = KEYS[2] and redis.call('HGET', KEYS[2], 'count')
if recorded then return tonumber(recorded) end
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if KEYS[2] then
  redis.call('HSET', KEYS[2], 'count', count)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return count`;

// Only while the window lives: a give-back after it expired must not leave a key without a TTL.
// A request's record marked 'back' has been given back already (by whichever copy came first);
// a record gone (its life over) is not created again, without a TTL.
const GIVE_BACK = `
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 and redis.call('HSETNX', KEYS[2], 'back', 1) == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkCountAttempt(numberOfKeys: number, ...keysThenArgs: string[]): Result<number, Context>;
    mkGiveBackAttempt(numberOfKeys: number, ...keysThenArgs: string[]): Result<number, Context>;
  }
}

/** The user's counter, then the request's own record when the request is named. */
const keysOf = (username: string, request: string | undefined) =>
  request === undefined ? [keys.authAttempts(username)] : [keys.authAttempts(username), keys.authAttemptOf(request)];

export function createAttemptLimiter(redis: Redis, max = MAX_CHECKS_PER_MINUTE) {
  defineScript(redis, 'mkCountAttempt', COUNT);
  defineScript(redis, 'mkGiveBackAttempt', GIVE_BACK);
  return {
    /**
     * Counts one check; false once the user has had `max` this minute. `request` (transport.ts
     * requestIdentity) makes the RADIUS request's copies one attempt for this user wherever they land.
     */
    async allow(username: string, request?: string): Promise<boolean> {
      const counted = keysOf(username, request);
      return (await redis.mkCountAttempt(counted.length, ...counted, String(WINDOW_SECONDS), String(DUPLICATE_WINDOW_MS))) <= max;
    },
    /** The check passed (or never ran): it does not count against the user, once per request. */
    async giveBack(username: string, request?: string): Promise<void> {
      const counted = keysOf(username, request);
      await redis.mkGiveBackAttempt(counted.length, ...counted);
    },
  };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
