// Password checks per user per minute, counted in Redis so every Mektep instance shares the
// count. Hashing is deliberately slow: a NAS (or someone behind it) guessing one user's
// password must not be able to keep the CPU busy.
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export const MAX_CHECKS_PER_MINUTE = 10;

export function createAttemptLimiter(redis: Redis, max = MAX_CHECKS_PER_MINUTE) {
  return {
    /** Counts one check; false once the user has had `max` this minute. */
    async allow(username: string): Promise<boolean> {
      const key = keys.authAttempts(username);
      const [[, count] = []] = (await redis.multi().incr(key).expire(key, 60, 'NX').exec()) ?? [];
      return Number(count) <= max;
    },
  };
}

export type AttemptLimiter = ReturnType<typeof createAttemptLimiter>;
