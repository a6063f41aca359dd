// Layout 1 → 2 of the session table (schema.ts): indexes were plain sets that kept sessions
// which ended without a Stop forever, one set per NAS record, and sessions of a CIDR NAS were
// keyed without their access point. The sets are dropped and rebuilt from the session hashes as
// sorted sets by last update (with an expiry); a CIDR session is renamed to its AP's id.
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import { SESSION_TTL_SECONDS, sessionKeyId } from './sessions.js';

const PAGE = 500;

async function* scan(redis: Redis, match: string, type: 'set' | 'hash'): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', PAGE, 'TYPE', type);
    cursor = next;
    if (found.length) yield found;
  } while (cursor !== '0');
}

async function rebuild(redis: Redis, key: string, hash: Record<string, string>): Promise<void> {
  if (!hash.nas || !hash.sessionId) return;
  const ap = hash.nasIp ?? hash.nas;
  const id = sessionKeyId(hash.nas, hash.sessionId, ap);
  const target = keys.session(id);
  const write = redis.multi();
  if (target !== key) {
    write.rename(key, target);
    for (const field of ['ipKey', 'ipAnyKey']) {
      if (hash[field] && (await redis.get(hash[field])) === `${hash.nas}|${hash.sessionId}`) write.set(hash[field], id, 'KEEPTTL');
    }
  }
  // Layout 1 took the user from a bare User-Name when there was no Class (no role): such a
  // session is now charged to nobody.
  const user = hash.role ? hash.user : undefined;
  if (hash.user && !user) write.hdel(target, 'user');
  const indexes = [keys.sessionsOfAp(hash.nas, ap)];
  if (user) indexes.push(keys.sessionsOfUser(user));
  if (hash.school) indexes.push(keys.sessionsOfSchool(hash.school));
  if (hash.mac) indexes.push(keys.sessionsOfMac(hash.mac));
  const score = Number(hash.updatedAt) || Date.now();
  for (const index of [...indexes, keys.sessions]) write.zadd(index, score, id).expire(index, SESSION_TTL_SECONDS);
  write.hset(target, 'indexes', JSON.stringify(indexes));
  await write.exec();
}

export async function migrateSessionIndexes(redis: Redis): Promise<void> {
  for await (const found of scan(redis, `${keys.sessions}*`, 'set')) await redis.del(...found);
  for await (const found of scan(redis, `${keys.session('')}*`, 'hash')) {
    const read = redis.pipeline();
    for (const key of found) read.hgetall(key);
    const hashes = (await read.exec()) ?? [];
    for (const [index, key] of found.entries()) {
      const [error, hash] = hashes[index]!;
      if (error) throw error;
      await rebuild(redis, key, hash as Record<string, string>);
    }
  }
}
