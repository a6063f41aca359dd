// The device directory while it loads (issue 12, "A region on one box"), against a real
// redis-server and the real change feed: a load held open after reading its pages shows what
// requests and changes meet in the meantime. A registered device is never missed because the
// directory is half-loaded, and a change made during a load is not undone by it.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { subscribeChanges, type ChangeFeed } from '../../src/store/changes.js';
import { createDeviceDirectory, type DeviceDirectory } from '../../src/store/device-directory.js';
import { createStore, type Store } from '../../src/store/index.js';
import { keys } from '../../src/store/keys.js';
import { migrate } from '../../src/store/schema.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const DEVICES = 2500;
const macOf = (index: number) => `02:20:00:00:${(index >> 8).toString(16).padStart(2, '0')}:${(index & 0xff).toString(16).padStart(2, '0')}`;

let server: TestRedis;
let redis: Redis;
let store: Store;
let feed: ChangeFeed;
let directory: DeviceDirectory | undefined;
const logged: { devices: number }[] = [];

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  await migrate(redis);
  store = createStore(redis);
  const rows = ['mac,role'];
  for (let index = 0; index < DEVICES; index++) rows.push(`${macOf(index)},student`);
  expect((await store.devices.importCsv(rows.join('\n'), { dryRun: false, actor: 'test' })).errors).toEqual([]);
  // Subscribed after the import: the directories below start from the stored devices alone.
  feed = await subscribeChanges(server.client());
}, 60_000);
afterEach(() => directory?.close());
afterAll(async () => {
  await feed?.close();
  await server?.close();
});

/** A directory whose n-th load, once it has read its last page, waits for the n-th `release()`. */
function heldDirectory() {
  const gates = new Map<number, { opened: Promise<void>; open: () => void }>();
  const gate = (load: number) => {
    let open: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    if (!gates.has(load)) gates.set(load, { opened, open });
    return gates.get(load)!;
  };
  let lastPagesRead = 0;
  let released = 0;
  const built = createDeviceDirectory({
    lookup: store.devices,
    bulk: {
      getMany: store.devices.getMany,
      async page(cursor, count) {
        const page = await store.devices.page(cursor, count);
        if (page.cursor === '0') await gate(++lastPagesRead).opened;
        return page;
      },
    },
    feed,
    log: { info: (fields: { devices: number }) => logged.push(fields) },
    onError: (error) => {
      throw error;
    },
  });
  directory = built;
  return {
    directory: built,
    lastPagesRead: () => lastPagesRead,
    release: () => gate(++released).open(),
  };
}

describe('the device directory while it loads', () => {
  it('answers a registered device from Redis, never "unknown", and counts as not loaded', async () => {
    const { directory, lastPagesRead, release } = heldDirectory();
    await waitFor(async () => (lastPagesRead() === 1 ? true : undefined), 10_000, 'the pages to be read');
    expect(directory.loaded()).toBe(false);
    expect(directory.find(macOf(DEVICES - 1))).toBeUndefined();
    expect(await directory.get(macOf(DEVICES - 1))).toMatchObject({ role: 'student', school: undefined });
    expect(await directory.get('02:20:00:ff:ff:ff')).toBeUndefined();
    expect(await directory.loadedWithin(50)).toBe(false);
    release();
    expect(await directory.loadedWithin(10_000)).toBe(true);
    expect(directory.size()).toBe(DEVICES);
    expect(directory.find(macOf(DEVICES - 1))).toMatchObject({ role: 'student' });
    expect(logged.at(-1)).toMatchObject({ devices: DEVICES });
  });

  it('keeps a removal and an addition made after its pages were read', async () => {
    const { directory, lastPagesRead, release } = heldDirectory();
    await waitFor(async () => (lastPagesRead() === 1 ? true : undefined), 10_000, 'the pages to be read');
    await store.devices.remove(macOf(7), 'test');
    await store.devices.add({ mac: '02:20:00:00:ff:01', role: 'student' }, 'test');
    // The change feed has delivered both (the directory refreshes what it holds now).
    await waitFor(async () => (directory.find('02:20:00:00:ff:01') ? true : undefined), 10_000, 'the addition');
    release();
    expect(await directory.loadedWithin(10_000)).toBe(true);
    expect(directory.find(macOf(7))).toBeUndefined();
    expect(directory.find('02:20:00:00:ff:01')).toMatchObject({ role: 'student' });
    expect(directory.size()).toBe(DEVICES);
    await store.devices.add({ mac: macOf(7), role: 'student' }, 'test');
    await store.devices.remove('02:20:00:00:ff:01', 'test');
    await waitFor(async () => (directory.find(macOf(7)) && !directory.find('02:20:00:00:ff:01') ? true : undefined), 10_000, 'the restore');
  });

  it('answers from the whole old directory while a reconnect reloads it, and swaps in the new one complete', async () => {
    const { directory, lastPagesRead, release } = heldDirectory();
    release();
    expect(await directory.loadedWithin(10_000)).toBe(true);
    await store.devices.remove(macOf(9), 'test');
    await waitFor(async () => (directory.find(macOf(9)) ? undefined : true), 10_000, 'the removal');
    // A removal whose announcement this instance missed, then the reconnect of the change feed's
    // connection that tells it announcements may have been missed.
    await redis.multi().del(keys.device(macOf(11))).srem(keys.devices, macOf(11)).exec();
    await redis.client('KILL', 'TYPE', 'pubsub');
    await waitFor(async () => (lastPagesRead() === 2 ? true : undefined), 10_000, 'the reload to read its pages');
    expect(directory.loaded()).toBe(true);
    expect(directory.size()).toBe(DEVICES - 1);
    for (const index of [0, 11, 1000, DEVICES - 1]) expect(directory.find(macOf(index))).toBeDefined();
    await store.devices.add({ mac: macOf(9), role: 'student' }, 'test');
    await waitFor(async () => (directory.find(macOf(9)) ? true : undefined), 10_000, 'the addition during the reload');
    const loads = logged.length;
    release();
    await waitFor(async () => (logged.length > loads ? true : undefined), 10_000, 'the reload');
    expect(directory.find(macOf(9))).toMatchObject({ role: 'student' });
    expect(directory.find(macOf(11))).toBeUndefined();
    expect(directory.size()).toBe(DEVICES - 1);
  });
});
