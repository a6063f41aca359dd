// Issue 13, `mektep user forget` reaches everything: a person with a device, a session, a login
// token, a lesson-focus group, a running focus, a site request, query-log entries written by the
// real resolver and a guest request from their phone is forgotten through the CLI (a child
// process), and then the WHOLE keyspace is read — every key's name and every value, member and
// stream field — for their username, display name and MACs. Other people's data stays.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { runCli, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const SECRET = 'forget-secret';
const SCHOOL = 'sch-forget';
const USERNAME = 'zhanel-forgetme';
const DISPLAY_NAME = 'Zhanel Forgetova';
const REGISTERED_MAC = '02:00:5e:13:51:01';
const PHONE_MAC = '02:00:5e:13:51:02';
const PHONE_IP = '127.0.0.71';
const CLASSMATE = 'aruzhan-stays';

let upstream: Dnsmasq;
let fixture: AppFixture;
let redis: Redis;

beforeAll(async () => {
  upstream = await startDnsmasq(['--txt-record=ready.upstream.test,ok', '--address=/wikipedia.org/10.9.0.6']);
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: '10.66.0.1' });
  redis = fixture.server.client();
  await fixture.store.schools.add({ id: SCHOOL, name: 'Forget school' }, 'test');
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: SCHOOL }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
  await upstream?.stop();
});

/** Every value a key holds, read a page at a time (streams by XRANGE COUNT, never whole). */
async function* contents(key: string): AsyncGenerator<string[]> {
  const type = await redis.type(key);
  if (type === 'string') yield [(await redis.get(key)) ?? ''];
  if (type === 'hash') yield Object.entries(await redis.hgetall(key)).flat();
  if (type === 'set') yield await redis.smembers(key);
  if (type === 'zset') yield await redis.zrange(key, 0, -1);
  if (type === 'list') yield await redis.lrange(key, 0, -1);
  if (type !== 'stream') return;
  for (let from = '-'; ;) {
    const page = await redis.xrange(key, from, '+', 'COUNT', 500);
    yield page.flatMap(([id, fields]) => [id, ...fields]);
    if (page.length < 500) return;
    from = `(${page[page.length - 1]![0]}`;
  }
}

/** Keys of the whole keyspace (SCAN) whose name or content mentions any needle, in any case or URI encoding. */
async function mentions(needles: string[]): Promise<Map<string, string[]>> {
  const forms = needles.flatMap((needle) => [needle, encodeURIComponent(needle), needle.replaceAll(':', '-')]).map((form) => form.toLowerCase());
  const found = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of page) {
      const hits = new Set<string>();
      const check = (text: string) => forms.filter((form) => text.toLowerCase().includes(form)).forEach((form) => hits.add(form));
      check(key);
      for await (const values of contents(key)) values.forEach(check);
      if (hits.size > 0) found.set(key, [...hits]);
    }
  } while (cursor !== '0');
  return found;
}

describe('mektep user forget', () => {
  it('leaves the username, display name and MACs nowhere in Redis, keeps classmates, and audits once without them', async () => {
    const { store } = fixture;
    await store.users.add({ username: USERNAME, password: 'zhanel-password', role: 'student', name: DISPLAY_NAME, school: SCHOOL }, 'test');
    await store.users.add({ username: CLASSMATE, password: 'aruzhan-password', role: 'student', school: SCHOOL }, 'test');
    await store.devices.add({ mac: REGISTERED_MAC, role: 'student', user: USERNAME, school: SCHOOL }, 'test');
    await store.tokens.mint({ mac: PHONE_MAC, nas: '127.0.0.1', role: 'student', user: USERNAME });
    const login = await radclient(fixture.auth, 'auth', SECRET, `User-Name=${USERNAME},User-Password=zhanel-password,Calling-Station-Id=${PHONE_MAC},Message-Authenticator=0x00`);
    expect(login.reply).toBe('Access-Accept');
    const start = `Acct-Status-Type=Start,Acct-Session-Id=fg-1,User-Name=${USERNAME},Calling-Station-Id=${PHONE_MAC},Framed-IP-Address=${PHONE_IP},Class=${login.attributes.Class![0]}`;
    expect((await radclient(fixture.acct, 'acct', SECRET, start)).reply).toBe('Accounting-Response');

    await store.groups.add(SCHOOL, '7b', [USERNAME, CLASSMATE], 'test');
    const focus = await store.focus.start({ school: SCHOOL, name: 'Algebra test', nas: [], users: [USERNAME, CLASSMATE], group: '7b', allow: ['exam.example'], until: Date.now() + 45 * 60_000 }, 'test');
    await store.siteRequests.create({ school: SCHOOL, domain: 'games.example', user: USERNAME, ip: PHONE_IP, mac: PHONE_MAC, rule: 'category:games' }, `portal:${PHONE_MAC}`);
    await store.siteRequests.grant(SCHOOL, [`user:${USERNAME}`], 'games.example', Date.now() + 3_600_000, 'account:teacher-1');
    const limits = { pendingMs: 600_000, devicePerHour: 5, schoolPerHour: 50, retentionMs: 86_400_000 };
    const asked = await store.guests.ask({ mac: PHONE_MAC, nas: '127.0.0.1', school: SCHOOL, sponsor: 'teacher-1', name: DISPLAY_NAME, contact: '+7 700 000 0000' }, limits, 'portal');
    expect(asked.ok).toBe(true);
    if (asked.ok) expect(await store.guests.decide(asked.request, { state: 'approved', until: Date.now() + 3_600_000 }, limits.retentionMs, 'account:teacher-1')).toBe(true);

    // An open-day voucher the phone redeemed, and a classmate's device on it.
    const [voucher] = await store.vouchers.create({ role: 'guest', duration: 3600, uses: 5, count: 1, school: SCHOOL }, 'test');
    for (const mac of [PHONE_MAC, '02:00:5e:13:51:99']) expect((await store.vouchers.redeem(voucher!.code, mac)).ok).toBe(true);

    // The query log through the real resolver: on for the school, then the phone asks.
    await store.queryLog.enable(SCHOOL, 3, 'test');
    await waitFor(async () => {
      await dig(fixture.app.dns!.port(), PHONE_IP, 'wikipedia.org');
      const entries = await store.queryLog.read(SCHOOL, { user: USERNAME });
      return entries.length > 0 ? true : undefined;
    }, 5000, 'a query-log entry of the phone');
    await store.queryLog.append([{ school: SCHOOL, at: Date.now(), record: { ip: '127.0.0.72', user: CLASSMATE, domain: 'lms.example', decision: 'allow:default' } }]);

    const person = [USERNAME, DISPLAY_NAME, REGISTERED_MAC, PHONE_MAC];
    expect([...(await mentions(person)).keys()].length).toBeGreaterThan(10);

    const result = await runCli(['user', 'forget', USERNAME, '--yes', '--json'], { REDIS_URL: fixture.server.url });
    expect(result.code).toBe(0);
    const forgotten = JSON.parse(result.stdout) as { pseudonym: string };

    expect(Object.fromEntries(await mentions(person))).toEqual({});
    // Classmates keep their group, focus and query-log entries.
    expect(await store.groups.get(SCHOOL, '7b')).toMatchObject({ members: [CLASSMATE] });
    expect((await store.focus.get(focus.id))?.users).toEqual([CLASSMATE]);
    expect(await store.queryLog.read(SCHOOL, { user: CLASSMATE })).toHaveLength(1);
    expect(await store.users.get(CLASSMATE)).toBeDefined();
    expect(await store.vouchers.devices(voucher!.code)).toEqual(['02:00:5e:13:51:99']);
    const tombstones = await store.audit.list({ action: 'user.forget', count: 5 });
    expect(tombstones).toHaveLength(1);
    expect(tombstones[0]).toMatchObject({ target: forgotten.pseudonym });

    // Twice is harmless: the user is gone, nothing else changes.
    expect((await runCli(['user', 'forget', USERNAME, '--yes'], { REDIS_URL: fixture.server.url })).stderr).toContain('does not exist');
    expect(await store.audit.list({ action: 'user.forget', count: 5 })).toHaveLength(1);
  });
});

describe('mektep user forget, the review\'s cases', () => {
  const forget = async (spelled: string) => {
    const result = await runCli(['user', 'forget', spelled, '--yes', '--json'], { REDIS_URL: fixture.server.url });
    expect(result.code, result.stderr).toBe(0);
  };
  const acct = async (attributes: string) => (await radclient(fixture.acct, 'acct', SECRET, attributes)).reply;

  it('forgets the user however the name is spelled on the command line ("Dana-Case", " dana-case")', async () => {
    for (const [spelled, username, mac] of [['Dana-Case', 'dana-case', '02:00:5e:13:52:01'], [' dana-case2', 'dana-case2', '02:00:5e:13:52:02']] as const) {
      await fixture.store.users.add({ username, password: 'dana-password', role: 'student', school: SCHOOL }, 'test');
      await fixture.store.devices.add({ mac, role: 'student', user: username, school: SCHOOL }, 'test');
      await forget(spelled);
      expect(await fixture.store.users.get(username)).toBeUndefined();
      expect(Object.fromEntries(await mentions([username, mac]))).toEqual({});
    }
  });

  it('charges accounting that arrives after the forget to nobody: the Stop its Disconnect provokes, Interims of a NAS that ignored it', async () => {
    const username = 'erlan-late';
    const mac = '02:00:5e:13:53:01';
    await fixture.store.users.add({ username, password: 'erlan-password', role: 'student', school: SCHOOL }, 'test');
    const login = await radclient(fixture.auth, 'auth', SECRET, `User-Name=${username},User-Password=erlan-password,Calling-Station-Id=${mac},Message-Authenticator=0x00`);
    expect(login.reply).toBe('Access-Accept');
    const record = (status: string, octets: number) =>
      `Acct-Status-Type=${status},Acct-Session-Id=late-1,User-Name=${username},Calling-Station-Id=${mac},Framed-IP-Address=127.0.0.81,Acct-Input-Octets=${octets},Class=${login.attributes.Class![0]}`;
    expect(await acct(record('Start', 0))).toBe('Accounting-Response');
    await forget(username);

    // Still acknowledged (else the NAS resends forever), charged and attributed to nobody.
    expect(await acct(record('Interim-Update', 5_000_000))).toBe('Accounting-Response');
    expect(await acct(record('Interim-Update', 6_000_000))).toBe('Accounting-Response');
    expect((await fixture.store.sessions.byIp(undefined, '127.0.0.81'))?.user).toBeUndefined();
    expect(await acct(record('Stop', 7_000_000))).toBe('Accounting-Response');
    expect(Object.fromEntries(await mentions([username, mac]))).toEqual({});
    expect(await fixture.store.sessions.list({ user: username })).toEqual([]);
  });

  it("closes a session that names the person only by User-Name, from their device, and keeps it anonymous after", async () => {
    const username = 'aigerim-plain';
    const mac = '02:00:5e:13:54:01';
    await fixture.store.users.add({ username, password: 'aigerim-password', role: 'student', school: SCHOOL }, 'test');
    await fixture.store.devices.add({ mac, role: 'student', user: username, school: SCHOOL }, 'test');
    const record = (status: string, octets: number) =>
      `Acct-Status-Type=${status},Acct-Session-Id=plain-1,User-Name=${username},Calling-Station-Id=${mac.replaceAll(':', '-').toUpperCase()},Framed-IP-Address=127.0.0.82,Acct-Input-Octets=${octets}`;
    expect(await acct(record('Start', 0))).toBe('Accounting-Response');
    expect(await fixture.store.sessions.list({ mac })).toHaveLength(1);
    await forget(username);
    expect(await fixture.store.sessions.list({ mac })).toEqual([]);
    expect(await fixture.store.sessions.byIp(undefined, '127.0.0.82')).toBeUndefined();
    expect(Object.fromEntries(await mentions([username, mac]))).toEqual({});

    expect(await acct(record('Interim-Update', 1_000_000))).toBe('Accounting-Response');
    expect(Object.fromEntries(await mentions([username, mac]))).toEqual({});
  });
});
