// Reading many hashes in one round trip.
import type { Redis } from 'ioredis';

export async function readHashes(redis: Redis, keyList: string[]): Promise<Record<string, string>[]> {
  if (keyList.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keyList) pipeline.hgetall(key);
  const rows = (await pipeline.exec()) ?? [];
  return rows.map(([error, hash]) => {
    if (error) throw error;
    return hash as Record<string, string>;
  });
}
