// Layout 1 → 2 of the session table (schema.ts): indexes were plain sets that kept sessions
// which ended without a Stop forever, one set per NAS record, and sessions of a CIDR NAS were
// keyed without their access point. The sets are dropped and rebuilt from the session hashes as
// sorted sets by last update (with an expiry); a CIDR session is renamed to its AP's id.
import type { ChainableCommander, Redis } from 'ioredis';
import { keys } from './keys.js';
import { FIELD, type FieldName } from './session-fields.js';
import { addressSlot, NAMES_DIGEST_LENGTH, type NamedFields, namesValue, sessionNames } from './session-names.js';
import { SESSION_TTL_SECONDS, sessionKeyId } from './sessions.js';

const PAGE = 500;

async function* scan(redis: Redis, match: string, type: 'set' | 'hash' | 'string' | 'zset'): AsyncGenerator<string[]> {
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

/** The address hash an older address key becomes a field of, and that field's NAS (from the session id). */
function addressOf(name: string, id: string): { hash: string; nas: string } | undefined {
  const anyPrefix = keys.sessionByIpAny('');
  const scopedPrefix = keys.sessionByIp('', '').slice(0, -1);
  const ip = name.startsWith(anyPrefix) ? name.slice(anyPrefix.length) : name.slice(scopedPrefix.length).split(':')[1];
  const nas = id.split('|')[0];
  return ip && nas ? { hash: keys.sessionAddress(decodeURIComponent(ip)), nas } : undefined;
}

/**
 * Layout 3 → 4 (issue 12, ≤ 1 KB per live session): a client address's two string keys (scoped by
 * NAS, and any NAS) become fields of one hash ('*' the any-NAS key's NAS when several NASes
 * report the address), which lives as long as the longer of them; the
 * per-MAC sets go (a device's sessions are found in its school's set); and each session hash's
 * stored names (session-names.ts) say so: its 'names' digest is made again without the MAC set
 * ('m') and with the address hash ('p' for 'i'), a hash written before 'names' gets the address
 * hash as its 'ipKey'.
 */
export async function migrateSessionAddresses(redis: Redis): Promise<void> {
  // The any-NAS keys last, and only naming their NAS's field when its own key did not.
  for (const [match, anyNas] of [[`${keys.sessionByIp('', '').slice(0, -1)}*`, false], [`${keys.sessionByIpAny('')}*`, true]] as const) {
    for await (const found of scan(redis, match, 'string')) {
      for (const name of found) {
        const [id, ttl] = await Promise.all([redis.get(name), redis.pttl(name)]);
        const address = id ? addressOf(name, id) : undefined;
        const write = redis.multi();
        if (address && id) {
          const lifetime = ttl > 0 ? ttl : SESSION_TTL_SECONDS * 1000;
          if (anyNas) write.hsetnx(address.hash, address.nas, id);
          else write.hset(address.hash, address.nas, id);
          write.pexpire(address.hash, lifetime, 'NX').pexpire(address.hash, lifetime, 'GT');
        }
        await write.del(name).exec();
        // The any-NAS answer is kept apart only beside another NAS's field (session-scripts.ts).
        if (anyNas && address && (await redis.hlen(address.hash)) > 1) await redis.hset(address.hash, '*', address.nas);
      }
    }
  }
  for await (const found of scan(redis, `${keys.sessionsOfMac('')}*`, 'zset')) await redis.del(...found);
  await rewriteSessionHashes(redis, (key, hash, write) => {
    const names = relisted(hash);
    if (names) write.hset(key, names);
  });
}

/** Every session hash, a page at a time, with the writes `rewrite` queues for it sent together. */
async function rewriteSessionHashes(redis: Redis, rewrite: (key: string, hash: Record<string, string>, write: ChainableCommander) => void): Promise<void> {
  for await (const found of scan(redis, `${keys.session('')}*`, 'hash')) {
    const read = redis.pipeline();
    for (const key of found) read.hgetall(key);
    const hashes = (await read.exec()) ?? [];
    const write = redis.pipeline();
    for (const [index, key] of found.entries()) {
      const [error, hash] = hashes[index]!;
      if (error) throw error;
      rewrite(key, hash as Record<string, string>, write);
    }
    await write.exec();
  }
}

/** A session hash's stored names in layout 4: without the MAC set, the address hash for the two keys. */
function relisted(hash: Record<string, string>): Record<string, string> | undefined {
  if (hash.indexes) {
    const indexes = (JSON.parse(hash.indexes) as string[]).filter((name) => !name.startsWith(keys.sessionsOfMac('')));
    return { indexes: JSON.stringify(indexes), ipKey: hash.ipKey && hash.ip ? keys.sessionAddress(hash.ip) : '', ipAnyKey: '' };
  }
  if (!hash.names || !hash.nas) return undefined;
  return { names: namesAgain(hash.names, (name) => hash[name], 'i') };
}

/** A hash's 'names' value made again from its fields (by `field`) and the flags it was written with; the address flagged by `addressFlag`. */
function namesAgain(stored: string, field: (name: keyof NamedFields) => string | undefined, addressFlag: string): string {
  const flags = stored.slice(NAMES_DIGEST_LENGTH);
  const has = (flag: string) => flags.includes(flag);
  return namesValue(sessionNames({
    nas: field('nas') ?? '', nasIp: has('a') ? (field('nasIp') ?? '') : undefined, nasIdentifier: has('n') ? (field('nasIdentifier') ?? '') : undefined,
    user: has('u') ? field('user') : undefined, school: has('s') ? field('school') : undefined, ip: has(addressFlag) ? field('ip') : undefined,
  }));
}

/** Layout 4 → 5: each session hash's fields by their letters (session-fields.ts), expiry kept. */
export async function renameSessionFields(redis: Redis): Promise<void> {
  await rewriteSessionHashes(redis, (key, hash, write) => {
    const spelled = (Object.entries(FIELD) as [FieldName, string][]).filter(([name]) => hash[name] !== undefined);
    if (spelled.length === 0) return;
    write.hset(key, Object.fromEntries(spelled.map(([name, letter]) => [letter, hash[name]!])));
    write.hdel(key, ...spelled.map(([name]) => name));
  });
}

/**
 * Layout 5 → 6 (issue 12, ≤ 1 KB per live session): each client address's hash becomes fields of
 * its block's hashes: each NAS's field '<host>' of that NAS's block hash (naming the session by its id
 * after '<NAS>|'), and the any-NAS answer ('*''s NAS, or the only NAS) '<host>' of the any-NAS
 * block hash (by its id); each lives
 * as long as the longest of its fields. Each session hash's names are made again (the digest
 * takes both blocks and the address); a hash written before 'names' gets the two as its 'ipKey'
 * and 'ipAnyKey'.
 */
export async function moveAddressesIntoBlocks(redis: Redis): Promise<void> {
  const prefix = keys.sessionAddress('');
  for await (const found of scan(redis, `${prefix}*`, 'hash')) {
    for (const name of found) {
      const [fields, ttl] = await Promise.all([redis.hgetall(name), redis.pttl(name)]);
      const { block, host } = addressSlot(decodeURIComponent(name.slice(prefix.length)));
      const lifetime = ttl > 0 ? ttl : SESSION_TTL_SECONDS * 1000;
      const { '*': last, ...reporting } = fields;
      const nases = Object.keys(reporting);
      const anyNas = last ?? (nases.length === 1 ? nases[0] : undefined);
      // A NAS's block hash names the session without the '<NAS>|' its key holds (session-scripts.ts listedAs).
      const moved = nases.filter((nas) => reporting[nas]!.startsWith(`${nas}|`)).map((nas): [string, string] => [keys.sessionAddressBlock(nas, block), reporting[nas]!.slice(nas.length + 1)]);
      if (anyNas && reporting[anyNas]) moved.push([keys.sessionAddressAnyBlock(block), reporting[anyNas]]);
      const write = redis.multi();
      for (const [blockKey, id] of moved) write.hset(blockKey, host, id).pexpire(blockKey, lifetime, 'NX').pexpire(blockKey, lifetime, 'GT');
      await write.del(name).exec();
    }
  }
  await rewriteSessionHashes(redis, (key, hash, write) => {
    const [ip, nas, names] = [hash[FIELD.ip], hash[FIELD.nas], hash[FIELD.names]];
    if (hash.indexes) {
      const block = hash.ipKey && ip && nas ? addressSlot(ip).block : undefined;
      write.hset(key, 'ipKey', block === undefined ? '' : keys.sessionAddressBlock(nas!, block), 'ipAnyKey', block === undefined ? '' : keys.sessionAddressAnyBlock(block));
    }
    if (!hash.indexes && names && nas) write.hset(key, FIELD.names, namesAgain(names, (field) => hash[FIELD[field]], 'p'));
  });
}
