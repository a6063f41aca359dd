// What one site request can open, against real peers (RADIUS accounting, dnsmasq upstream, dig):
// the site is the Host the browser was blocked on and the rule the resolver's own decision (the
// form's fields are ignored); a public suffix or a name not blocked for the device is refused;
// an allow opens the asked name and its subdomains, never its parent, to the requester's devices,
// or under a lesson focus to that focus's members, never under another teacher's focus; a later
// shorter allow never shortens a longer one. And DNS rebinding: a page whose name was pointed at
// the portal cannot post to it (sign out, sign in), except the block page's own request form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/services/index.js';
import { endOfDay, LESSON_MINUTES } from '../../src/services/site-requests.js';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const SECRET = 'grant-test-secret';
const BLOCK = '10.66.0.1';
const ADDRESS = { amir: '127.0.0.61', bota: '127.0.0.62', carol: '127.0.0.63', dana: '127.0.0.64', erlan: '127.0.0.65' } as const;

let upstream: Dnsmasq;
let fixture: AppFixture;
let port: number;
let services: Services;
const dana = { kind: 'teacher', username: 'dana', school: 'sch-1' } as const;
const erlan = { kind: 'teacher', username: 'erlan', school: 'sch-1' } as const;

const first = async (from: string, name: string) => (await dig(port, from, name)).answers[0]?.data;
const resolvesTo = (from: string, name: string, expected: string) =>
  waitFor(async () => ((await first(from, name)) === expected ? true : undefined), 2000, `${name} → ${expected} from ${from}`);
const FORM = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' };
/** The block page's form as a browser posts it: under the blocked site's name. */
const ask = (from: string, host: string, fields: Record<string, string> = {}) =>
  fixture.app.inject({ method: 'POST', url: '/blocked/request', remoteAddress: from, headers: { host, origin: `http://${host}`, ...FORM }, payload: new URLSearchParams({ reason: 'project', ...fields }).toString() });
const requests = () => services.siteRequests.list(dana);

beforeAll(async () => {
  upstream = await startDnsmasq(['--txt-record=ready.upstream.test,ok', '--address=/exam.example/10.9.0.5', '--address=/wikipedia.org/10.9.0.6', '--address=/games.example/10.9.0.7', '--address=/com.kz/10.9.0.8']);
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: BLOCK, PUBLIC_URL: 'http://portal.school.test' });
  port = fixture.app.dns!.port();
  services = createServices({ store: fixture.store, enforcer: fixture.app.services.enforcer, admit: fixture.app.services.admit });
  await fixture.store.schools.add({ id: 'sch-1', name: 'School 1', timezone: 'Asia/Almaty' }, 'test');
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1' }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  for (const [username, ip] of Object.entries(ADDRESS)) {
    const role = username === 'dana' || username === 'erlan' ? 'teacher' : 'student';
    await fixture.store.users.add({ username, password: `${username}-password`, role, school: 'sch-1' }, 'test');
    const login = await radclient(fixture.auth, 'auth', SECRET, `User-Name=${username},User-Password=${username}-password,Message-Authenticator=0x00`);
    expect(login.reply).toBe('Access-Accept');
    const start = `Acct-Status-Type=Start,Acct-Session-Id=grant-${username},User-Name=${username},Framed-IP-Address=${ip},Class=${login.attributes.Class![0]}`;
    expect((await radclient(fixture.acct, 'acct', SECRET, start)).reply).toBe('Accounting-Response');
  }
  await fixture.store.content.profiles.set('safe', undefined, { blockDomains: ['games.example', 'com.kz'] }, 'test');
  await resolvesTo(ADDRESS.amir, 'games.example', BLOCK);
});

afterAll(async () => {
  await fixture?.close();
  await upstream?.stop();
});

describe('a site request', () => {
  it('names the blocked Host and the resolver\'s rule whatever the form says; a public suffix or an unblocked name is refused', async () => {
    const sent = await ask(ADDRESS.amir, 'www.games.example', { site: 'com.kz', rule: 'focus' });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(await requests()).toEqual([expect.objectContaining({ domain: 'www.games.example', rule: 'block-domain', user: 'amir' })]);
    // com.kz is blocked for amir (the profile), but it is a public suffix: one allow would open every .com.kz site.
    expect(await first(ADDRESS.amir, 'shop.com.kz')).toBe(BLOCK);
    const suffix = await ask(ADDRESS.amir, 'com.kz');
    expect([suffix.statusCode, suffix.body.includes('it would open many sites at once')]).toEqual([400, true]);
    const page = await fixture.app.inject({ method: 'GET', url: '/', remoteAddress: ADDRESS.amir, headers: { host: 'com.kz', 'accept-language': 'en' } });
    expect([page.statusCode, page.body.includes('action="/blocked/request"')]).toEqual([403, false]);
    // exam.example resolves for amir: there is nothing to ask for.
    const open = await ask(ADDRESS.amir, 'exam.example');
    expect([open.statusCode, open.body.includes('This site is not blocked for you.')]).toEqual([400, true]);
    expect(await requests()).toHaveLength(1);
  });

  it('opens the asked name and its subdomains to the requester only, not its parent nor a classmate', async () => {
    const [request] = await requests();
    await services.siteRequests.allow(dana, request!.id, 'lesson');
    await resolvesTo(ADDRESS.amir, 'www.games.example', '10.9.0.7');
    expect(await first(ADDRESS.amir, 'cdn.www.games.example')).toBe('10.9.0.7');
    expect(await first(ADDRESS.amir, 'games.example')).toBe(BLOCK);
    expect(await first(ADDRESS.amir, 'other.games.example')).toBe(BLOCK);
    expect(await first(ADDRESS.bota, 'www.games.example')).toBe(BLOCK);
  });

  it('under a lesson focus opens the name to that focus\'s members only, never under another teacher\'s focus', async () => {
    const maths = await services.focus.start(dana, { users: ['amir', 'bota'], minutes: 45, allow: ['exam.example'], name: 'Maths' });
    const history = await services.focus.start(erlan, { users: ['carol'], minutes: 45, allow: ['exam.example'], name: 'History' });
    await resolvesTo(ADDRESS.carol, 'wikipedia.org', BLOCK);
    await resolvesTo(ADDRESS.amir, 'wikipedia.org', BLOCK);
    expect((await ask(ADDRESS.amir, 'wikipedia.org')).statusCode).toBe(200);
    const [request] = await services.siteRequests.list(dana, { state: 'pending' });
    expect(request).toMatchObject({ domain: 'wikipedia.org', rule: 'focus' });
    const { until } = await services.siteRequests.allow(dana, request!.id, 'lesson');
    expect(until).toBe(maths.until);
    await resolvesTo(ADDRESS.amir, 'wikipedia.org', '10.9.0.6');
    await resolvesTo(ADDRESS.bota, 'wikipedia.org', '10.9.0.6');
    expect(await first(ADDRESS.carol, 'wikipedia.org')).toBe(BLOCK);
    expect(await first(ADDRESS.amir, 'games.example')).toBe(BLOCK);
    await services.focus.stop(dana, maths.id);
    await services.focus.stop(erlan, history.id);
  });

  it('keeps the longer of two allows of the same name: a later shorter one never shortens it', async () => {
    // Asked twice before anyone decided (once allowed, the name is no longer blocked to ask for).
    expect((await ask(ADDRESS.bota, 'www.games.example')).statusCode).toBe(200);
    expect((await ask(ADDRESS.bota, 'www.games.example')).statusCode).toBe(200);
    const [one, two] = await services.siteRequests.list(dana, { state: 'pending' });
    // Within 45 minutes of midnight at the school "today" is the shorter one: the longer goes first.
    const spans = endOfDay(Date.now(), 'Asia/Almaty') > Date.now() + (LESSON_MINUTES + 1) * 60_000 ? ['day', 'lesson'] as const : ['lesson', 'day'] as const;
    const longer = await services.siteRequests.allow(dana, one!.id, spans[0]);
    const shorter = await services.siteRequests.allow(dana, two!.id, spans[1]);
    expect(shorter.until).toBeLessThan(longer.until);
    const ends = (await fixture.store.siteRequests.granted()).get('sch-1')!.get('user:bota')!;
    expect(ends.get('www.games.example')).toBe(longer.until);
    await resolvesTo(ADDRESS.bota, 'www.games.example', '10.9.0.7');
  });
});

describe('DNS rebinding', () => {
  const rebound = (path: string, host: string, payload = '') =>
    fixture.app.inject({ method: 'POST', url: path, remoteAddress: ADDRESS.carol, headers: { host, origin: `http://${host}`, ...FORM }, payload });

  it('refuses a page under another name posting to the portal; only the block page\'s form under a blocked name is taken', async () => {
    const before = await requests();
    expect((await rebound('/logout', 'rebind.attacker.example', 'lang=en')).statusCode).toBe(403);
    // The request form is taken under a name blocked for the device only (the resolver's decision).
    expect((await rebound('/blocked/request', 'rebind.attacker.example', 'reason=x')).statusCode).toBe(400);
    // games.example is blocked for carol, yet its name signs nobody in or out.
    expect((await rebound('/logout', 'games.example', 'lang=en')).statusCode).toBe(403);
    expect((await rebound('/login', 'games.example', 'username=carol&password=carol-password')).statusCode).toBe(403);
    expect(await requests()).toEqual(before);
    const actions = (await fixture.store.audit.recent(50)).map((entry) => `${entry.action} ${entry.target}`);
    expect(actions.filter((action) => action.startsWith('session.disconnect'))).toEqual([]);
    // The block page's own form, under a name blocked for carol, still records her request.
    expect((await rebound('/blocked/request', 'games.example', 'reason=x')).statusCode).toBe(200);
    // Behind a proxy that rewrites Host, the browser's Origin still names the portal: taken.
    const proxied = await fixture.app.inject({ method: 'POST', url: '/logout', remoteAddress: '127.0.0.99', headers: { host: 'mektep-upstream', origin: 'http://portal.school.test', ...FORM }, payload: 'lang=en' });
    expect(proxied.statusCode).not.toBe(403);
  });
});
