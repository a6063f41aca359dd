// Portal lockout: 10 failed logins in 15 minutes lock that username, or that device (MAC), for
// 15 minutes. Counted in Redis so every instance sees the same counts. Each attempt is counted
// before its password is checked, in one script with the lock check, so parallel guesses cannot
// all pass a lock that is checked first and counted later; an attempt that succeeds, or that was
// never checked, is given back. Per-IP limits stay generous elsewhere: a whole school may reach
// the portal through one NAT address.
import type { ClientContext, Redis, Result } from 'ioredis';
import { keys } from './keys.js';
import { defineScript } from './write.js';

export const MAX_FAILURES = 10;
export const WINDOW_SECONDS = 15 * 60;

export type Lock = 'user' | 'device';

// KEYS: per subject, its failure counter then its lock. ARGV: max, window seconds.
// Returns the index (1-based) of the first locked subject, or 0 when the attempt may go ahead.
const ATTEMPT = `
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i + 1]) == 1 then return (i + 1) / 2 end
end
local refused = 0
for i = 1, #KEYS, 2 do
  local count = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[2], 'NX')
  if count > tonumber(ARGV[1]) then
    redis.call('SET', KEYS[i + 1], '1', 'EX', ARGV[2])
    redis.call('DEL', KEYS[i])
    if refused == 0 then refused = (i + 1) / 2 end
  end
end
return refused
`;

// KEYS: failure counters. Takes one attempt back, never below zero.
const GIVE_BACK = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkLoginAttempt(numKeys: number, ...args: string[]): Result<number, Context>;
    mkLoginGiveBack(numKeys: number, ...args: string[]): Result<number, Context>;
  }
}

export function createLoginGuard(redis: Redis, max = MAX_FAILURES, windowSeconds = WINDOW_SECONDS) {
  defineScript(redis, 'mkLoginAttempt', ATTEMPT);
  defineScript(redis, 'mkLoginGiveBack', GIVE_BACK);
  const subjects = (username: string, mac: string | undefined) => [['user', username], ...(mac ? [['device', mac]] : [])] as [Lock, string][];
  const counters = (username: string, mac: string | undefined) => subjects(username, mac).map(([kind, id]) => keys.loginFailures(kind, id));

  /** The attempt was not a failure (the check could not run): it no longer counts. */
  async function giveBack(username: string, mac: string | undefined): Promise<void> {
    const keyList = counters(username, mac);
    await redis.mkLoginGiveBack(keyList.length, ...keyList);
  }

  return {
    giveBack,

    /** Counts an attempt; answers the lock that refuses it, if any (then nothing is checked). */
    async attempt(username: string, mac: string | undefined): Promise<Lock | undefined> {
      const list = subjects(username, mac);
      const keyList = list.flatMap(([kind, id]) => [keys.loginFailures(kind, id), keys.loginLock(kind, id)]);
      const locked = await redis.mkLoginAttempt(keyList.length, ...keyList, String(max), String(windowSeconds));
      return locked === 0 ? undefined : list[locked - 1]![0];
    },

    /** A successful sign-in forgets the username's earlier failures and gives the device's attempt back. */
    async succeeded(username: string, mac: string | undefined): Promise<void> {
      await redis.del(keys.loginFailures('user', username));
      if (mac) await giveBack(username, mac);
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
