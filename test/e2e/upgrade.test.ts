// Issue 13, upgrades: a data directory written by the previous release (test/fixtures/
// layout-1-a3288cf, made by that release itself) starts under this one — migrated, and every
// user, console account, NAS, device, voucher, policy and live session still works.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded.js';
import { createStore, type Store } from '../../src/store/index.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { ROOT } from '../helpers/process.js';
import { accessRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'old-release-secret';
const dataDir = mkdtempSync(join(tmpdir(), 'mk-upgrade-'));
let redis: EmbeddedRedis;
let client: Redis;
let app: FastifyInstance;
let store: Store;

beforeAll(async () => {
  const aof = join(dataDir, 'redis', 'appendonlydir');
  mkdirSync(aof, { recursive: true });
  copyFileSync(join(ROOT, 'test/fixtures/layout-1-a3288cf/appendonly.resp'), join(aof, 'appendonly.aof.2.base.aof'));
  writeFileSync(join(aof, 'appendonly.aof.2.incr.aof'), '');
  writeFileSync(join(aof, 'appendonly.aof.manifest'), 'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  redis = await startEmbeddedRedis(dataDir);
  client = new Redis({ path: redis.socketPath });
  expect(await client.get('mk:schema')).toBe('1');
  app = await buildTestApp(`unix://${redis.socketPath}`);
  store = createStore(client);
});
afterAll(async () => {
  await app?.close();
  client?.disconnect();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('data of the previous release (layout 1)', () => {
  it('is migrated to this layout at start', async () => {
    expect(Number(await client.get('mk:schema'))).toBe(SCHEMA_VERSION);
  });

  it('keeps its users, NAS and devices working over RADIUS', async () => {
    const login = await ask(app.radius.auth.port(), accessRequest(SECRET, [['User-Name', 'aruzhan'], ['User-Password', 'aruzhan-password'], ['Calling-Station-Id', '02-00-5E-13-40-02']]));
    expect(login?.frame.code).toBe(Code.AccessAccept);
    const device = await ask(app.radius.auth.port(), accessRequest(SECRET, [['User-Name', '02005e134001'], ['User-Password', '02005e134001'], ['Calling-Station-Id', '02-00-5E-13-40-01']]));
    expect(device?.frame.code).toBe(Code.AccessAccept);
  });

  it('keeps its voucher, policy, console account and live session', async () => {
    expect(await store.vouchers.get('56QQJTUU4C')).toMatchObject({ role: 'guest', duration: 7200 });
    expect(await client.hget('mk:policy:student@sch-1', 'dailyQuota')).toBe('2000000000');
    expect(await store.accounts.list()).toEqual([expect.objectContaining({ username: 'region', role: 'region-admin' })]);
    expect((await store.users.list()).map((user) => user.username)).toEqual(['aruzhan']);
    expect(await store.sessions.list({ user: 'aruzhan' })).toEqual([expect.objectContaining({ sessionId: 'old-sess-1', outOctets: 1_500_000, inOctets: 250_000, ip: '10.1.0.5' })]);
    expect(await store.sessions.list({ school: 'sch-1' })).toHaveLength(1);
  });
});
