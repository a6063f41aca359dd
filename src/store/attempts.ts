// Failed password checks per user per minute, counted in Redis so every Mektep instance shares
// the count. Hashing is deliberately slow: a NAS (or someone behind it) guessing one user's
// password must not be able to keep the CPU busy. An attempt is counted before its check (so
// parallel guesses cannot all be checked) and given back when the password was right, so a
// user who signs in correctly many times a minute is never told to wait.
import type { ClientContext, Redis, Result } from 'ioredis';
import { keys } from './keys.js';
import { defineScript } from './write.js';

export const MAX_CHECKS_PER_MINUTE = 10;
const WINDOW_SECONDS = 60;

// One round trip, atomic: the first attempt of a window starts its minute.
const COUNT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

// Only while the window lives: a give-back after it expired must not leave a key without a TTL.
const GIVE_BACK = `
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkCountAttempt(key: string, seconds: string): Result<number, Context>;
    mkGiveBackAttempt(key: string): Result<number, Context>;
  }
}

export function createAttemptLimiter(redis: Redis, max = MAX_CHECKS_PER_MINUTE) {
  defineScript(redis, 'mkCountAttempt', COUNT, 1);
  defineScript(redis, 'mkGiveBackAttempt', GIVE_BACK, 1);
  return {
    /** Counts one check; false once the user has had `max` this minute. */
    async allow(username: string): Promise<boolean> {
      return (await redis.mkCountAttempt(keys.authAttempts(username), String(WINDOW_SECONDS))) <= max;
    },
    /** The check passed (or never ran): it does not count against the user. */
    async giveBack(username: string): Promise<void> {
      await redis.mkGiveBackAttempt(keys.authAttempts(username));
    },
  };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
