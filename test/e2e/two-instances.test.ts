// Issue 13: two Mektep instances on one Redis behave as one. A portal page served by A is
// completed at B and failed logins at both count toward one lockout; a login token minted at A
// is consumed at B, once; a policy change through A sends one CoA per session; accounting for
// one session alternates between them and a retransmission reaching the other instance is not
// counted twice, nor does it end a session twice for its quota; a change made through one is
// seen by the other's in-memory directories within a second.
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { FastifyInstance } from 'fastify';
import type { EncodableAttribute } from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { createServices } from '../../src/services/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp } from '../helpers/app.js';
import { freePort, waitFor } from '../helpers/process.js';
import { accessRequest, accountingRequest } from '../helpers/radius-wire.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'two-instances-secret';
const NAS = '127.0.0.1';
const MB = 1_000_000;
let server: TestRedis;
let a: FastifyInstance;
let b: FastifyInstance;
let store: Store;
let identifier = 0;
let das: Socket;
/** Disconnect- and CoA-Requests the access point received: sender port and identifier, retransmissions once. */
const disconnects = new Set<string>();
const coas = new Set<string>();

beforeAll(async () => {
  server = await startTestRedis();
  const env = { LOG_LEVEL: process.env.MK_LOG ?? 'silent', PUBLIC_URL: 'http://portal.school.test' };
  [a, b] = await Promise.all([buildTestApp(server.url, env), buildTestApp(server.url, env)]);
  store = createStore(server.client());
  // The access point's Dynamic Authorization Server (RFC 5176): acknowledges every Disconnect.
  das = createSocket('udp4');
  das.on('message', (packet, peer) => {
    if (packet[0] !== 40 && packet[0] !== 43) return;
    (packet[0] === 40 ? disconnects : coas).add(`${peer.port}/${packet[1]}`);
    const ack = Buffer.from([packet[0] + 1, packet[1]!, 0, 20, ...packet.subarray(4, 20)]);
    createHash('md5').update(ack).update(SECRET).digest().copy(ack, 4);
    das.send(ack, peer.port, peer.address);
  });
  const coaPort = await freePort();
  await new Promise<void>((resolve) => das.bind(coaPort, NAS, () => resolve()));
  await store.nas.add(NAS, { secret: SECRET, vendor: 'generic', coaPort, rejectDelayMs: 0 }, 'test');
  await store.policies.set('teacher', undefined, { dailyQuota: 2 * MB }, [], 'test');
  await store.users.add({ username: 'timur', password: 'timur-password', role: 'teacher' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School 2' }, 'test');
  await store.nas.add('127.0.0.5', { secret: 'chilli-two-secret', vendor: 'chilli', school: 'sch-2', nasId: 'ch-2', rejectDelayMs: 0 }, 'test');
  for (const name of ['madi', 'guessed']) await store.users.add({ username: name, password: `${name}-password`, role: 'student', school: 'sch-2' }, 'test');
  await store.users.add({ username: 'dana', password: 'dana-password', role: 'student' }, 'test');
  await waitFor(async () => a.nasDirectory.find(NAS) && b.nasDirectory.byNasId('ch-2') && a.nasDirectory.byNasId('ch-2'), 2000, 'the NAS clients at both');
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  das?.close();
  await server?.close();
});

const authPort = (app: FastifyInstance) => app.radius.auth.port();
const acctPort = (app: FastifyInstance) => app.radius.acct.port();
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());

async function authenticate(app: FastifyInstance, attributes: EncodableAttribute[]) {
  // A copy: the encoder appends the Message-Authenticator to the list it is given.
  return ask(authPort(app), accessRequest(SECRET, [...attributes], { identifier: ++identifier % 256 }), NAS);
}

/** How long until `probe` holds, in ms; fails past `limitMs`. */
async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  await waitFor(async () => ((await probe()) ? true : undefined), limitMs, 'the other instance to agree');
  return Date.now() - started;
}

describe('two instances on one Redis', () => {
  it('a login token minted at A is accepted at B, once; A then refuses it too', async () => {
    const token = await a.store.tokens.mint({ mac: '02:00:5e:13:20:01', nas: NAS, role: 'student', user: 'dana' });
    const request = [['User-Name', token.username], ['User-Password', token.password], ['Calling-Station-Id', '02-00-5E-13-20-01']] as EncodableAttribute[];
    expect((await authenticate(b, request))?.frame.code).toBe(Code.AccessAccept);
    expect((await authenticate(a, request))?.frame.code).toBe(Code.AccessReject);
    expect((await authenticate(b, request))?.frame.code).toBe(Code.AccessReject);
  });

  it('accounting alternating between A and B, each record also retransmitted to the other, is counted once', async () => {
    const login = await authenticate(a, [['User-Name', 'dana'], ['User-Password', 'dana-password'], ['Calling-Station-Id', '02-00-5E-13-20-02']]);
    expect(login?.frame.code).toBe(Code.AccessAccept);
    const className = Buffer.from(login!.attributes.raw(25)!);
    const records: [string, number][] = [['Start', 0], ['Interim-Update', MB], ['Interim-Update', 3 * MB], ['Stop', 4 * MB]];
    for (const [index, [status, octets]] of records.entries()) {
      const [first, second] = index % 2 ? [b, a] : [a, b];
      const packet = accountingRequest(SECRET, [['Acct-Status-Type', status], ['Acct-Session-Id', 'two-1'], ['User-Name', 'dana'], ['Class', className],
        ['Calling-Station-Id', '02-00-5E-13-20-02'], ['Acct-Output-Octets', octets]], ++identifier % 256);
      // The NAS retransmits to its secondary server when the primary's answer was lost.
      const answers = await Promise.all([ask(acctPort(first), packet, NAS), ask(acctPort(second), packet, NAS)]);
      expect(answers.map((answer) => answer?.frame.code)).toEqual([Code.AccountingResponse, Code.AccountingResponse]);
    }
    expect(Number(await server.client().get(`mk:usage:dana:${today()}`))).toBe(4 * MB);
  });

  it('a quota crossed in an Interim that reaches both instances ends the session once', async () => {
    const login = await authenticate(b, [['User-Name', 'timur'], ['User-Password', 'timur-password'], ['Calling-Station-Id', '02-00-5E-13-20-04']]);
    expect(login?.frame.code).toBe(Code.AccessAccept);
    const record = (status: string, octets: number) => accountingRequest(SECRET, [['Acct-Status-Type', status], ['Acct-Session-Id', 'two-quota'], ['User-Name', 'timur'],
      ['Class', Buffer.from(login!.attributes.raw(25)!)], ['Calling-Station-Id', '02-00-5E-13-20-04'], ['Acct-Output-Octets', octets]], ++identifier % 256);
    await ask(acctPort(a), record('Start', 0), NAS);
    const over = record('Interim-Update', 3 * MB);
    await Promise.all([ask(acctPort(a), over, NAS), ask(acctPort(b), over, NAS)]);
    await waitFor(async () => (disconnects.size ? true : undefined), 3000, 'the Disconnect-Request');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(disconnects.size).toBe(1);
  });

  it('a policy changed through A reaches a live session once (one CoA or Disconnect, not one per instance)', async () => {
    const login = await authenticate(b, [['User-Name', 'dana'], ['User-Password', 'dana-password'], ['Calling-Station-Id', '02-00-5E-13-20-05']]);
    await ask(acctPort(b), accountingRequest(SECRET, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'two-policy'], ['User-Name', 'dana'],
      ['Class', Buffer.from(login!.attributes.raw(25)!)], ['Calling-Station-Id', '02-00-5E-13-20-05']], ++identifier % 256), NAS);
    const [disconnectsBefore, coasBefore] = [disconnects.size, coas.size];
    const services = createServices({ store: a.managementStore, enforcer: a.services.enforcer, admit: a.services.admit });
    const report = await services.policies.set({ kind: 'root', actor: 'cli:test' }, 'student', undefined, { downRate: 3_000_000 }, []);
    expect(report.sessions.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(disconnects.size - disconnectsBefore + coas.size - coasBefore).toBe(report.sessions.length);
  });

  it('a device, a NAS client and their removal made through A reach B within a second', async () => {
    const device = '02:00:5e:13:20:03';
    const macAuth: EncodableAttribute[] = [['User-Name', device], ['User-Password', device], ['Calling-Station-Id', device]];
    await a.managementStore.devices.add({ mac: device, role: 'student' }, 'test');
    const added = await within(1000, async () => (await authenticate(b, macAuth))?.frame.code === Code.AccessAccept);
    await a.managementStore.devices.remove(device, 'test');
    const removed = await within(1000, async () => (await authenticate(b, macAuth))?.frame.code === Code.AccessReject);
    await a.managementStore.nas.add('127.0.0.9', { secret: 'nine-nine-nine-secret', vendor: 'generic' }, 'test');
    const nas = await within(1000, async () => b.nasDirectory.find('127.0.0.9') !== undefined);
    console.info(`two instances: B saw the device in ${added} ms, its removal in ${removed} ms, the NAS in ${nas} ms`);
  });

  describe('the portal behind a load balancer', () => {
    let macs = 0;
    /** The login page as a browser gets it from `app`: its cookies (the signed context). */
    async function loginForm(app: FastifyInstance) {
      const mac = `00-1B-63-13-00-${(++macs).toString(16).padStart(2, '0')}`;
      const page = await app.inject({ url: `/?res=notyet&uamip=127.0.0.5&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=${mac}&ip=10.2.0.7&nasid=ch-2` });
      expect(page.statusCode).toBe(200);
      return { cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
    }
    const postLogin = (app: FastifyInstance, form: Awaited<ReturnType<typeof loginForm>>, fields: string) => app.inject({
      method: 'POST', url: '/login', remoteAddress: '10.2.0.7',
      headers: { cookie: form.cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
      payload: fields,
    });

    it('a login page served by A is completed at B', async () => {
      const answer = await postLogin(b, await loginForm(a), 'username=madi&password=madi-password');
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('id="release"');
    });

    it('failed logins at A and at B count toward one lockout', async () => {
      const form = await loginForm(a);
      for (let attempt = 0; attempt < 10; attempt++) {
        expect((await postLogin(attempt % 2 ? a : b, form, `username=guessed&password=wrong-${attempt}`)).statusCode).toBe(401);
      }
      expect((await postLogin(b, form, 'username=guessed&password=guessed-password')).statusCode).toBe(429);
      expect((await postLogin(a, form, 'username=guessed&password=guessed-password')).statusCode).toBe(429);
    });
  });
});
