// In-memory caches keyed by what requests carry must stay bounded (issue 8, item 15), against a
// real redis-server and the real change feed.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeChanges, type ChangeFeed } from '../../src/store/changes.js';
import { createDeviceDirectory } from '../../src/store/device-directory.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createPolicyCache, MAX_POLICIES } from '../../src/store/policy-cache.js';
import { migrate } from '../../src/store/schema.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;
let store: Store;
let feed: ChangeFeed;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  await migrate(redis);
  store = createStore(redis);
  feed = await subscribeChanges(redis);
});
afterAll(async () => {
  await feed?.close();
  await server?.close();
});

describe('the policy cache', () => {
  it(`holds at most ${MAX_POLICIES} role × school entries however many distinct Classes arrive`, async () => {
    const cache = createPolicyCache(store.policies, feed);
    // Roles and schools as a NAS can put them in a Class attribute: anything.
    for (let i = 0; i < MAX_POLICIES + 500; i += 1) await cache.effective('student', `made-up-${i}`);
    expect(cache.size()).toBe(MAX_POLICIES);
    // Still correct past the bound: a policy change reaches what is cached.
    await store.policies.set('student', undefined, { downRate: 1_000_000 }, [], 'test');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await cache.effective('student', 'made-up-0')).toEqual({ downRate: 1_000_000 });
  });
});

describe('the device directory', () => {
  it('lets go of remembered devices whose time has passed, which Redis expires without a word', async () => {
    let now = Date.now();
    const until = new Date(now + 3_600_000).toISOString();
    for (let i = 0; i < 50; i += 1) await store.devices.add({ mac: `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`, role: 'student', until }, 'test');
    await store.devices.add({ mac: '02:00:00:00:02:01', role: 'student' }, 'test');
    const directory = createDeviceDirectory({ lookup: store.devices, bulk: store.devices, feed, log: { info: () => undefined }, onError: (error) => { throw error; }, now: () => now, sweepEveryMs: 20 });
    expect(await directory.loadedWithin(10_000)).toBe(true);
    expect(directory.size()).toBe(51);
    now += 2 * 3_600_000;
    // Swept by the directory's own timer, before any request asks: no request pays for it.
    for (let waited = 0; directory.size() > 1 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(directory.size()).toBe(1);
    expect(await directory.get('02:00:00:00:01:00')).toBeUndefined();
    expect(await directory.get('02:00:00:00:02:01')).toMatchObject({ role: 'student' });
    directory.close();
  });

  it('never answers for a device whose time has passed, though no sweep has run yet', async () => {
    let now = Date.now();
    await store.devices.add({ mac: '02:00:00:00:03:01', role: 'student', until: new Date(now + 60_000).toISOString() }, 'test');
    const directory = createDeviceDirectory({ lookup: store.devices, bulk: store.devices, feed, log: { info: () => undefined }, onError: (error) => { throw error; }, now: () => now });
    expect(await directory.loadedWithin(10_000)).toBe(true);
    expect(directory.find('02:00:00:00:03:01')).toMatchObject({ role: 'student', until: now + 60_000 });
    now += 60_000;
    expect(directory.find('02:00:00:00:03:01')).toBeUndefined();
    expect(await directory.get('02:00:00:00:03:01')).toBeUndefined();
    directory.close();
  });
});
