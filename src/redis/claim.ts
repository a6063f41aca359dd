// Work that several instances may each be asked to do, done by one: the first to set the key
// wins; the key expires so that a later event can try again if the winner's attempt failed.
import type { Redis } from 'ioredis';

export function createClaim(redis: Redis, keyOf: (id: string) => string, ttlMs: number): (id: string) => Promise<boolean> {
  return async (id) => (await redis.set(keyOf(id), String(process.pid), 'PX', ttlMs, 'NX')) === 'OK';
}
