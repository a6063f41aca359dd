// The content-filtering resolver against real peers: dig asking from the addresses that real
// RADIUS accounting gave each person, dnsmasq as the upstream, the mektep CLI as the admin.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { freePort, cliJson, runCli, waitFor } from '../helpers/process.js';
import { radclient, signInAndStart } from '../helpers/radclient.js';

const SECRET = 'dns-test-secret';
const BLOCK = '10.66.0.1';
const STUDENT = '127.0.0.21';
const TEACHER = '127.0.0.22';
const EXAMINEE = '127.0.0.23';
const LONG_TEXT = 'x'.repeat(200);

let upstream: Dnsmasq;
let fixture: AppFixture;
let port: number;
let env: Record<string, string>;

const cli = (...args: string[]) => cliJson(env, ...args);

const online = (user: string, ip: string, session: string) => signInAndStart(fixture, SECRET, { user, password: `${user}-password`, ip, session });

const addresses = (result: Awaited<ReturnType<typeof dig>>) => result.answers.map((answer) => `${answer.type} ${answer.data}`);

beforeAll(async () => {
  upstream = await startDnsmasq([
    '--txt-record=ready.upstream.test,ok',
    '--address=/kundelik.kz/10.9.0.1',
    '--address=/adult.mektep.test/10.9.0.66',
    '--address=/evil.mektep.test/10.9.0.99',
    '--address=/google.kz/142.250.0.9',
    '--host-record=forcesafesearch.google.com,216.239.38.120',
    '--address=/youtube.com/142.250.0.2',
    '--host-record=restrictmoderate.youtube.com,216.239.38.119',
    '--host-record=restrict.youtube.com,216.239.38.120',
    '--address=/exam.example/10.9.0.5',
    '--address=/wikipedia.org/10.9.0.6',
    // Eight 200-byte strings: over 1232 bytes, so both hops need TCP.
    ...Array.from({ length: 8 }, (_, i) => `--txt-record=big.upstream.test,${i}${LONG_TEXT}`),
  ]);
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: BLOCK });
  port = fixture.app.dns!.port();
  env = { REDIS_URL: fixture.server.url };
  const { store } = fixture;
  await store.schools.add({ id: 'sch-1', name: 'School 1' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1' }, 'test');
  await store.roles.add('examinee', 'test');
  for (const [username, role] of [['amir', 'student'], ['dana', 'teacher'], ['aida', 'examinee']] as const) {
    await store.users.add({ username, password: `${username}-password`, role, school: 'sch-1' }, 'test');
  }
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  for (const list of ['adult', 'malware']) await cli('content', 'import', list, `config/content/${list}.txt`);
  await waitFor(async () => (fixture.app.dns!.lists.sizes().malware ? true : undefined), 5000, 'the lists to load');
  await online('amir', STUDENT, 'dns-1');
  await online('dana', TEACHER, 'dns-2');
  await online('aida', EXAMINEE, 'dns-3');
});

afterAll(async () => {
  await fixture?.close();
  await upstream?.stop();
});

describe('the filtering resolver', () => {
  it('blocks a student from an adult site and its subdomains (block address for A, empty AAAA), and lets the teacher through', async () => {
    expect(addresses(await dig(port, STUDENT, 'adult.mektep.test'))).toEqual([`A ${BLOCK}`]);
    expect(addresses(await dig(port, STUDENT, 'cdn.www.adult.mektep.test'))).toEqual([`A ${BLOCK}`]);
    const aaaa = await dig(port, STUDENT, 'adult.mektep.test', 'AAAA');
    expect([aaaa.status, aaaa.answers]).toEqual(['NOERROR', []]);
    expect(addresses(await dig(port, TEACHER, 'adult.mektep.test'))).toEqual(['A 10.9.0.66']);
    // malware-only still blocks malware for teachers; an ordinary name resolves for everyone.
    expect(addresses(await dig(port, TEACHER, 'evil.mektep.test'))).toEqual([`A ${BLOCK}`]);
    expect(addresses(await dig(port, STUDENT, 'kundelik.kz'))).toEqual(['A 10.9.0.1']);
  });

  it('answers Google with the SafeSearch CNAME and its address for students, as it is for teachers', async () => {
    expect(addresses(await dig(port, STUDENT, 'www.google.kz'))).toEqual(['CNAME forcesafesearch.google.com.', 'A 216.239.38.120']);
    expect(addresses(await dig(port, TEACHER, 'www.google.kz'))).toEqual(['A 142.250.0.9']);
  });

  it('restricts YouTube, and a profile change reaches the resolver without a restart', async () => {
    expect(addresses(await dig(port, STUDENT, 'www.youtube.com'))).toEqual(['CNAME restrictmoderate.youtube.com.', 'A 216.239.38.119']);
    await cli('content', 'profile', 'set', 'safe', '--youtube', 'strict');
    await waitFor(async () => (addresses(await dig(port, STUDENT, 'www.youtube.com'))[0] === 'CNAME restrict.youtube.com.' ? true : undefined), 5000, 'strict mode');
    expect(addresses(await dig(port, STUDENT, 'www.youtube.com'))).toEqual(['CNAME restrict.youtube.com.', 'A 216.239.38.120']);

    // A cached, allowed name: the teacher's profile now blocks it, within seconds.
    expect(addresses(await dig(port, TEACHER, 'kundelik.kz'))).toEqual(['A 10.9.0.1']);
    await cli('content', 'profile', 'set', 'malware-only', '--block-domains', 'kundelik.kz');
    await waitFor(async () => (addresses(await dig(port, TEACHER, 'kundelik.kz'))[0] === `A ${BLOCK}` ? true : undefined), 5000, 'the block');
    expect(addresses(await dig(port, STUDENT, 'kundelik.kz'))).toEqual(['A 10.9.0.1']);
  });

  it('resolves only the allowed sites in allow-only mode', async () => {
    await cli('content', 'profile', 'set', 'exam', '--allow-only', 'yes', '--allow-domains', 'exam.example');
    await cli('policy', 'set', 'examinee', '--content-profile', 'exam', '--no-apply');
    expect(addresses(await dig(port, EXAMINEE, 'www.exam.example'))).toEqual(['A 10.9.0.5']);
    expect(addresses(await dig(port, EXAMINEE, 'wikipedia.org'))).toEqual([`A ${BLOCK}`]);
    expect(addresses(await dig(port, STUDENT, 'wikipedia.org'))).toEqual(['A 10.9.0.6']);
  });

  it('applies a mapped network’s profile to an address without a session, and the guest default elsewhere', async () => {
    await cli('content', 'network', 'add', '127.0.0.64/26', '--school', 'sch-1', '--profile', 'exam');
    await waitFor(async () => (addresses(await dig(port, '127.0.0.70', 'wikipedia.org'))[0] === `A ${BLOCK}` ? true : undefined), 5000, 'the mapping');
    expect(addresses(await dig(port, '127.0.0.70', 'exam.example'))).toEqual(['A 10.9.0.5']);
    expect(addresses(await dig(port, '127.0.0.200', 'wikipedia.org'))).toEqual(['A 10.9.0.6']);
    expect(addresses(await dig(port, '127.0.0.200', 'adult.mektep.test'))).toEqual([`A ${BLOCK}`]);
    // The same network mapped again to another profile: the new one applies.
    await cli('content', 'network', 'add', '127.0.0.64/26', '--school', 'sch-1', '--profile', 'malware-only');
    await waitFor(async () => (addresses(await dig(port, '127.0.0.70', 'wikipedia.org'))[0] === 'A 10.9.0.6' ? true : undefined), 5000, 'the new mapping');
    expect(addresses(await dig(port, '127.0.0.70', 'adult.mektep.test'))).toEqual(['A 10.9.0.66']);
  });

  it('moves an address to its new person at once when accounting starts a session there, and back on Stop', async () => {
    const ip = '127.0.0.31';
    expect(addresses(await dig(port, ip, 'adult.mektep.test'))).toEqual([`A ${BLOCK}`]);
    // Well inside the 5 s the directory remembers "no session here": only the announcement can explain a change.
    await online('dana', ip, 'announced-1');
    await waitFor(async () => (addresses(await dig(port, ip, 'adult.mektep.test'))[0] === 'A 10.9.0.66' ? true : undefined), 2000, 'the teacher profile');
    const stop = `Acct-Status-Type=Stop,Acct-Session-Id=announced-1,User-Name=dana,Framed-IP-Address=${ip}`;
    expect((await radclient(fixture.acct, 'acct', SECRET, stop)).reply).toBe('Accounting-Response');
    await waitFor(async () => (addresses(await dig(port, ip, 'adult.mektep.test'))[0] === `A ${BLOCK}` ? true : undefined), 2000, 'the guest profile');
  });

  it('answers NXDOMAIN for the DoH canary', async () => {
    expect((await dig(port, TEACHER, 'use-application-dns.net')).status).toBe('NXDOMAIN');
  });

  it('truncates a large answer over UDP (TC, no records) and gives it whole over TCP', async () => {
    const udp = await dig(port, STUDENT, 'big.upstream.test', 'TXT', ['+ignore', '+noedns']);
    expect(udp.flags).toContain('tc');
    expect(udp.answers).toEqual([]);
    const fallback = await dig(port, STUDENT, 'big.upstream.test', 'TXT');
    expect(fallback.retriedOverTcp).toBe(true);
    expect(fallback.answers).toHaveLength(8);
  });

  it('answers several queries pipelined on one TCP connection (RFC 7766 §6.2.1.1)', async () => {
    // Hand-built queries (id, RD, one question, type A, class IN), checked byte by byte.
    const query = (id: number, name: string) => {
      const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
      const body = Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
      return Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
    };
    const socket = connect({ host: '127.0.0.1', port, localAddress: STUDENT });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(Buffer.concat([query(0x1111, 'kundelik.kz'), query(0x2222, 'adult.mektep.test')]));
    const answers = new Map<number, string>();
    let received = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          const message = received.subarray(2, 2 + received.readUInt16BE(0));
          received = received.subarray(2 + message.length);
          // One A answer: its address is the message's last four bytes.
          answers.set(message.readUInt16BE(0), [...message.subarray(-4)].join('.'));
        }
        if (answers.size === 2) resolve();
      });
    });
    socket.destroy();
    expect(Object.fromEntries(answers)).toEqual({ [0x1111]: '10.9.0.1', [0x2222]: BLOCK });
  });

  it('drops malformed and non-query packets without an answer, counts them, and keeps serving', async () => {
    const socket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (message) => replies.push(message));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const garbage = [Buffer.from([1, 2, 3, 4, 5]), Buffer.alloc(40, 0xff), Buffer.from('000181800001000000000000', 'hex'), Buffer.from('abcd01000001000000000000076578616d706c65', 'hex')];
    for (const packet of garbage) socket.send(packet, port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    expect(replies).toEqual([]);
    expect(addresses(await dig(port, STUDENT, 'kundelik.kz'))).toEqual(['A 10.9.0.1']);
    const metrics = (await fixture.app.inject({ method: 'GET', url: '/metrics' })).body;
    const dropped = (reason: string) => Number(new RegExp(`mektep_dns_dropped_total\\{reason="${reason}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(dropped('malformed') + dropped('not-a-query')).toBe(4);
    expect(metrics).toMatch(/mektep_dns_blocked_total\{profile="safe",category="adult"\} [1-9]/);
    expect(metrics).toMatch(/mektep_dns_queries_total\{profile="malware-only",action="allow"\} [1-9]/);
  });

  it('explains a decision with `mektep content check`, the resolver’s own code', async () => {
    expect(await cli('content', 'check', 'www.adult.mektep.test', '--ip', STUDENT)).toMatchObject({
      asker: { user: 'amir', role: 'student', school: 'sch-1', via: 'session' }, profile: 'safe', from: 'role-default',
      decision: { action: 'block', rule: 'category', category: 'adult', domain: 'adult.mektep.test' },
    });
    expect(await cli('content', 'check', 'wikipedia.org', '--role', 'examinee')).toMatchObject({ profile: 'exam', from: 'role-policy', decision: { action: 'block', rule: 'allow-only' } });
    expect(await cli('content', 'check', 'www.google.kz', '--ip', '127.0.0.200')).toMatchObject({ from: 'guest-default', decision: { action: 'rewrite', target: 'forcesafesearch.google.com' } });
  });

  it('imports a hosts file from standard input, reporting what it refused, and --replace replaces', async () => {
    const hosts = '# test\n127.0.0.1 localhost\n0.0.0.0 games-one.test\n0.0.0.0 games-two.test\nhttp://bad/url\n';
    const report = JSON.parse((await runCli(['content', 'import', 'games', '-', '--json'], env, hosts)).stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ lines: 5, kept: 2, refused: 2, domains: 2 });
    const file = join(fixture.server.dir, 'games.txt');
    writeFileSync(file, 'games-three.test\n');
    expect(await cli('content', 'import', 'games', file, '--replace')).toMatchObject({ kept: 1, domains: 1 });
    const categories = (await runCli(['content', 'categories', '--json'], env)).stdout;
    expect(JSON.parse(categories)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'games', domains: 1 })]));
  });
});

describe('upstreams', () => {
  it('asks the next upstream when the first is silent, within the same budget', async () => {
    const sink = createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    const app = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${sink.address().port},127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: BLOCK });
    try {
      // Round robin: one of two queries starts at the silent one and waits out its half of the budget.
      const results = [await dig(app.app.dns!.port(), '127.0.0.1', 'kundelik.kz'), await dig(app.app.dns!.port(), '127.0.0.1', 'exam.example')];
      expect(results.map(addresses)).toEqual([['A 10.9.0.1'], ['A 10.9.0.5']]);
      expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(2500);
    } finally {
      await app.close();
      sink.close();
    }
  });

  it('refuses to start when the upstream is the resolver itself', async () => {
    const own = await freePort();
    await expect(buildTestApp(fixture.server.url, { DNS_HOST: '0.0.0.0', DNS_PORT: String(own), DNS_UPSTREAM: `127.0.0.1:${own}` })).rejects.toThrow(/back to Mektep's own resolver/);
  });

  it('answers SERVFAIL within the bounded timeout, not never', async () => {
    // An upstream that takes packets and never answers.
    const sink = createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
    const silent = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${sink.address().port}`, DNS_BLOCK_ADDRESS: BLOCK });
    try {
      const result = await dig(silent.app.dns!.port(), '127.0.0.1', 'kundelik.kz');
      expect(result.status).toBe('SERVFAIL');
      // The budget is 2 s; dig waits 5 s.
      expect(result.ms).toBeGreaterThanOrEqual(1500);
      expect(result.ms).toBeLessThan(4500);
    } finally {
      await silent.close();
      sink.close();
    }
  });
});
