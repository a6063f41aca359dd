// Portal lockout: 10 failed logins in 15 minutes lock that username, or that device (MAC), for
// 15 minutes. Counted in Redis so every instance sees the same counts. Per-IP limits stay
// generous elsewhere: a whole school may reach the portal through one NAT address.
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 15 * 60;

export type Lock = 'user' | 'device';

export function createLoginGuard(redis: Redis, max = MAX_FAILURES, windowSeconds = WINDOW_SECONDS) {
  const subjects = (username: string, mac: string | undefined) => [['user', username], ...(mac ? [['device', mac]] : [])] as [Lock, string][];
  return {
    async locked(username: string, mac: string | undefined): Promise<Lock | undefined> {
      const list = subjects(username, mac);
      const found = await redis.exists(...list.map(([kind, id]) => keys.loginLock(kind, id)));
      if (found === 0) return undefined;
      for (const [kind, id] of list) if (await redis.exists(keys.loginLock(kind, id))) return kind;
      return undefined;
    },

    async failed(username: string, mac: string | undefined): Promise<void> {
      for (const [kind, id] of subjects(username, mac)) {
        const key = keys.loginFailures(kind, id);
        const [[, count] = []] = (await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) ?? [];
        if (Number(count) >= max) await redis.multi().set(keys.loginLock(kind, id), '1', 'EX', windowSeconds).del(key).exec();
      }
    },

    async succeeded(username: string): Promise<void> {
      await redis.del(keys.loginFailures('user', username));
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
