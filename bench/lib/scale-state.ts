// A region's registered state for the scale run, written through the store's own write paths
// (school and policy writes, the NAS record, device imports in batches) so the Redis layout is
// exactly what Mektep writes. Every device belongs to a school; per school, of every ten devices
// eight are pupils' (two per pupil), one a teacher's, one a school-owned fleet device (no user).
import type { Redis } from 'ioredis';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';

export const REGION_NAS = '127.0.0.1';
const IMPORT_BATCH = 5000;
const ACTOR = 'bench:scale';

export const schoolOf = (device: number, schools: number) => `school-${device % schools}`;

/** The user a device belongs to, and its role (see the header). */
export function ownerOf(device: number, schools: number): { role: string; user?: string } {
  const school = device % schools;
  const place = Math.floor(device / schools);
  const kind = place % 10;
  if (kind < 8) return { role: 'student', user: `p${school}-${Math.floor(place / 10) * 4 + Math.floor(kind / 2)}` };
  if (kind === 8) return { role: 'teacher', user: `t${school}-${Math.floor(place / 10)}` };
  return { role: 'student' };
}

/** Schools, role policies and the NAS the load comes from. */
export async function seedRegion(redis: Redis, schools: number, secret: string): Promise<Store> {
  await migrate(redis);
  const store = createStore(redis);
  for (let school = 0; school < schools; school++) {
    await store.schools.add({ id: `school-${school}`, name: `School ${school + 1}`, timezone: 'Asia/Almaty' }, ACTOR);
  }
  // A region's usual policies: quotas and a device limit make every login and record do the
  // Redis work they do in production.
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000, sessionTimeout: 8 * 3600, dailyQuota: 2_000_000_000, maxDevices: 3, deviceLimitMode: 'refuse' }, [], ACTOR);
  await store.policies.set('teacher', undefined, { downRate: 20_000_000, upRate: 5_000_000, sessionTimeout: 10 * 3600, maxDevices: 4, deviceLimitMode: 'evict-oldest' }, [], ACTOR);
  await store.nas.add(REGION_NAS, { secret, vendor: 'mikrotik', rejectDelayMs: 0 }, ACTOR);
  return store;
}

/** Registers devices [from, to) with `mektep device import`'s store path, a batch at a time. */
export async function importDevices(store: Store, macs: string[], from: number, to: number, schools: number): Promise<void> {
  for (let start = from; start < to; start += IMPORT_BATCH) {
    const rows = ['mac,role,school,user'];
    for (let device = start; device < Math.min(to, start + IMPORT_BATCH); device++) {
      const { role, user } = ownerOf(device, schools);
      rows.push(`${macs[device]},${role},${schoolOf(device, schools)},${user ?? ''}`);
    }
    const { errors } = await store.devices.importCsv(rows.join('\n'), { dryRun: false, actor: ACTOR });
    if (errors.length > 0) throw new Error(`device import: ${JSON.stringify(errors.slice(0, 3))}`);
  }
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

export interface KeyFamily {
  family: string;
  keys: number;
  /** MEMORY USAGE of every key of a family of up to SAMPLE keys; of SAMPLE of them × keys above. */
  bytes: number;
}

const SAMPLE = 1000;

/** Every key family ("mk:session", "mk:sessions-of-user", …) with its key count and size. */
export async function keyFamilies(redis: Redis): Promise<KeyFamily[]> {
  const families = new Map<string, { keys: number; sample: string[] }>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'COUNT', 2000);
    cursor = next;
    for (const key of found) {
      const family = /^mk:[^:]+/.exec(key)?.[0] ?? key;
      const entry = families.get(family) ?? { keys: 0, sample: [] };
      entry.keys++;
      if (entry.sample.length < SAMPLE) entry.sample.push(key);
      families.set(family, entry);
    }
  } while (cursor !== '0');
  const out: KeyFamily[] = [];
  for (const [family, { keys, sample }] of families) {
    // SAMPLES 0: every element of an aggregate is counted (the big sets are one key each).
    const sizes = await Promise.all(sample.map(async (key) => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0));
    out.push({ family, keys, bytes: Math.round((sizes.reduce((a, b) => a + b, 0) / sample.length) * keys) });
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/**
 * A live session's hash as stored (its encoding and size), and the size the same fields would
 * take in Redis's compact listpack encoding, which Redis gives up for a hash with any value over
 * `hash-max-listpack-value` bytes (64 by default). Measured on copies of up to 100 sessions.
 */
export async function sessionHashEncoding(redis: Redis): Promise<{ encoding: string; bytes: number; listpackBytes: number; longest: string } | undefined> {
  const sample: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', 'mk:session:*', 'COUNT', 1000);
    cursor = next;
    sample.push(...found);
  } while (cursor !== '0' && sample.length < 100);
  if (sample.length === 0) return undefined;
  const [, limit] = (await redis.config('GET', 'hash-max-listpack-value')) as [string, string];
  let bytes = 0;
  let listpackBytes = 0;
  let longest = '';
  try {
    await redis.config('SET', 'hash-max-listpack-value', '1024');
    for (const key of sample) {
      const hash = await redis.hgetall(key);
      for (const [field, value] of Object.entries(hash)) if (value.length > (hash[longest]?.length ?? 0)) longest = field;
      bytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const copy = `${key}:bench-copy`;
      await redis.hset(copy, hash);
      listpackBytes += Number(await redis.call('MEMORY', 'USAGE', copy, 'SAMPLES', '0'));
      await redis.del(copy);
    }
  } finally {
    await redis.config('SET', 'hash-max-listpack-value', limit);
  }
  const encoding = String(await redis.call('OBJECT', 'ENCODING', sample[0]!));
  return { encoding, bytes: Math.round(bytes / sample.length), listpackBytes: Math.round(listpackBytes / sample.length), longest };
}
