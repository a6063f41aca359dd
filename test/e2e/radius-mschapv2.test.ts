// MS-CHAPv2 through radclient: MS-CHAP-Challenge and MS-CHAP2-Response built from the RFC 2759
// §9.2 vectors (radclient's own MS-CHAP is v1).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import type { TestRedis } from '../helpers/redis.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';

const SECRET = 'mschap-secret-9';
const CHALLENGE = '0x5B5D7C7D7B3F2F3E3C2C602132262628';
// ident 1, flags 0, peer challenge, 8 reserved zero bytes, NT-Response.
const RESPONSE = '0x010021402324255E262A28295F2B3A337C7E000000000000000082309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF';
let fixture: AppFixture;
let server: TestRedis;
let app: FastifyInstance;
let store: Store;
let auth: number;

beforeAll(async () => {
  fixture = await startAppFixture();
  ({ server, app } = fixture);
  store = fixture.store;
  ({ auth } = fixture);
  await store.schools.add({ id: 'sch-ms', name: 'MS-CHAP school', mschapv2: true }, 'test');
  await store.schools.add({ id: 'sch-plain', name: 'Plain school' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'user', password: 'clientPass', role: 'teacher', school: 'sch-ms' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

const request = (user = 'User', response = RESPONSE) => `User-Name=${user},MS-CHAP-Challenge=${CHALLENGE},MS-CHAP2-Response=${response},Message-Authenticator=0x00`;

describe('MS-CHAPv2', () => {
  it('accepts the RFC 2759 vector user with MS-CHAP2-Success and the RFC 3079 MPPE keys', async () => {
    const result = await radclient(auth, 'auth', SECRET, request());
    expect(result.reply).toBe('Access-Accept');
    expect(result.attributes['MS-CHAP2-Success']).toEqual([`0x01${Buffer.from('S=407A5589115FD0D6209F510FE9C04566932CDA56').toString('hex')}`]);
    expect(result.attributes['MS-MPPE-Send-Key']).toEqual(['0x8b7cdc149b993a1ba118cb153f56dccb']);
    expect(result.attributes['MS-MPPE-Recv-Key']).toHaveLength(1);
    expect(result.attributes['MS-MPPE-Recv-Key']![0]).not.toBe(result.attributes['MS-MPPE-Send-Key']![0]);
  });

  it('rejects a wrong NT-Response with MS-CHAP-Error 691', async () => {
    const wrong = RESPONSE.slice(0, -2) + '00';
    const result = await radclient(auth, 'auth', SECRET, request('User', wrong));
    expect(result.reply).toBe('Access-Reject');
    expect(result.attributes['MS-CHAP-Error']?.[0]).toContain('E=691');
  });

  it('is refused for users of schools that did not opt in, and stops when the school opts out', async () => {
    await store.users.add({ username: 'other', password: 'clientPass', role: 'teacher', school: 'sch-plain' }, 'test');
    expect((await radclient(auth, 'auth', SECRET, request('other'))).reply).toBe('Access-Reject');
    const off = await runCli(['school', 'set', 'sch-ms', '--no-mschapv2'], { REDIS_URL: server.url });
    expect(off.code).toBe(0);
    expect((await store.users.get('user'))?.ntHash).toBeUndefined();
    expect((await radclient(auth, 'auth', SECRET, request())).reply).toBe('Access-Reject');
    await runCli(['school', 'set', 'sch-ms', '--mschapv2'], { REDIS_URL: server.url });
    await runCli(['user', 'passwd', 'user', '--password-stdin'], { REDIS_URL: server.url }, 'clientPass');
    expect((await radclient(auth, 'auth', SECRET, request())).reply).toBe('Access-Accept');
  });
});
