// A region's device directory at start-up (issue 12, "A region on one box"): with many devices
// registered, the app starts under RADIUS's 1 s command bound, MAC-authenticates a device from the
// end of the set over real UDP, and a fleet import refreshes only the devices it changed.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const DEVICES = 120_000;
const IMPORTED = 1_000;
const SECRET = 'device-directory-secret';
const actor = 'test';

const macOf = (index: number) => `02:10:${[16, 8, 0].map((shift) => ((index >> shift) & 0xff).toString(16).padStart(2, '0')).join(':')}:01`;

let server: TestRedis;
let redis: Redis;
let store: Store;
let app: FastifyInstance | undefined;

/** The hashes and index the store's import writes, pipelined: a region's fleet in a few seconds. */
async function registerQuickly(from: number, to: number): Promise<void> {
  const createdAt = new Date().toISOString();
  for (let start = from; start < to; start += 5_000) {
    const pipeline = redis.pipeline();
    for (let index = start; index < Math.min(to, start + 5_000); index++) {
      const mac = macOf(index);
      pipeline.hset(keys.device(mac), { mac, role: 'student', randomized: '1', registeredBy: 'admin', createdAt });
      pipeline.sadd(keys.devices, mac);
    }
    await pipeline.exec();
  }
}

/** HGETALL calls Redis has served so far (each device read is one). */
async function deviceReads(): Promise<number> {
  return Number(/cmdstat_hgetall:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
}

const macAuth = (mac: string) => radclient(app!.radius.auth.port(), 'auth', SECRET, `User-Name=${mac.replaceAll(':', '-')},Service-Type=Call-Check,Calling-Station-Id=${mac.replaceAll(':', '-')},Message-Authenticator=0x00`, 3);

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
  await migrate(redis);
  store = createStore(redis);
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', rejectDelayMs: 0 }, actor);
  await store.policies.set('student', undefined, { downRate: 5_000_000, upRate: 1_000_000 }, [], actor);
  await registerQuickly(0, DEVICES);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe(`a directory of ${DEVICES} devices`, () => {
  it('starts with RADIUS commands bound to 1 s, and accepts the last device by MAC once loaded', async () => {
    app = await buildTestApp(server.url, { REDIS_COMMAND_TIMEOUT_MS: '1000' });
    await waitFor(async () => ((await app!.inject('/readyz')).statusCode === 200 ? true : undefined), 60_000, 'the directory to load');
    expect(app.services.devices.size()).toBe(DEVICES);
    expect((await macAuth(macOf(DEVICES - 1))).reply).toBe('Access-Accept');
    expect((await macAuth(macOf(DEVICES + 5))).reply).toBe('Access-Reject');
  }, 120_000);

  it(`refreshes only the ${IMPORTED} devices an import changed, not all of them`, async () => {
    const before = await deviceReads();
    const rows = ['mac,role'];
    for (let index = DEVICES; index < DEVICES + IMPORTED; index++) rows.push(`${macOf(index)},student`);
    const { errors } = await store.devices.importCsv(rows.join('\n'), { dryRun: false, actor: 'test' });
    expect(errors).toEqual([]);
    await waitFor(async () => (app!.services.devices.size() === DEVICES + IMPORTED ? true : undefined), 60_000, 'the imported devices');
    // A full reload would read all of them again (121,000); the import's own script reads none.
    expect(await deviceReads() - before).toBeLessThanOrEqual(2 * IMPORTED);
    expect((await macAuth(macOf(DEVICES + 5))).reply).toBe('Access-Accept');
  }, 120_000);
});
