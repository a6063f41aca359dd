// The block page and site requests against real peers: a student online by real RADIUS
// accounting, in lesson focus, asks for a blocked host (the Host header a browser sends to the
// block address); the page says why in kk/ru/en; "request access" records a site request for
// that Host; a teacher allows it for the rest of the lesson, and dig then resolves the site for
// the student (test/e2e/block-page-grants.test.ts: for whom, and what it never opens).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/services/index.js';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { signInAndStart } from '../helpers/radclient.js';

const SECRET = 'block-test-secret';
const BLOCK = '10.66.0.1';
const AMIR = '127.0.0.51';
const DANA = '127.0.0.52';

let upstream: Dnsmasq;
let fixture: AppFixture;
let port: number;
let services: Services;
const teacher = { kind: 'teacher', username: 'dana', school: 'sch-1' } as const;

const online = (user: string, ip: string, session: string) => signInAndStart(fixture, SECRET, { user, password: `${user}-password`, ip, session });

const first = async (from: string, name: string) => (await dig(port, from, name)).answers[0]?.data;
const visit = (from: string, host: string, path = '/', language = 'en') =>
  fixture.app.inject({ method: 'GET', url: path, remoteAddress: from, headers: { host, 'accept-language': language } });
const cookiesOf = (reply: LightMyRequestResponse) => reply.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');

beforeAll(async () => {
  upstream = await startDnsmasq(['--txt-record=ready.upstream.test,ok', '--address=/exam.example/10.9.0.5', '--address=/wikipedia.org/10.9.0.6', '--address=/games.example/10.9.0.7']);
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: BLOCK, PUBLIC_URL: 'http://portal.school.test' });
  port = fixture.app.dns!.port();
  services = createServices({ store: fixture.store, enforcer: fixture.app.services.enforcer, admit: fixture.app.services.admit });
  await fixture.store.schools.add({ id: 'sch-1', name: 'School 1', timezone: 'Asia/Almaty' }, 'test');
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1' }, 'test');
  for (const [username, role] of [['amir', 'student'], ['dana', 'teacher']] as const) {
    await fixture.store.users.add({ username, password: `${username}-password`, role, school: 'sch-1' }, 'test');
  }
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  await online('amir', AMIR, 'block-1');
  await online('dana', DANA, 'block-2');
});

afterAll(async () => {
  await fixture?.close();
  await upstream?.stop();
});

describe('the block page', () => {
  it('says "Focus mode: <lesson> until <time>" in the person\'s language, and leaves probes, the portal and captive devices alone', async () => {
    const focus = await services.focus.start(teacher, { users: ['amir'], minutes: 45, allow: ['exam.example'], name: 'Algebra test' });
    await waitFor(async () => ((await first(AMIR, 'wikipedia.org')) === BLOCK ? true : undefined), 1000, 'the focus');
    const until = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(focus.until);
    const expected = { en: `Focus mode: Algebra test until ${until}`, ru: `Режим урока: Algebra test до ${until}`, kk: `Сабақ режимі: Algebra test, ${until} дейін` };
    for (const [language, sentence] of Object.entries(expected)) {
      const page = await visit(AMIR, 'wikipedia.org', '/wiki/Main_Page', language);
      expect(page.statusCode).toBe(403);
      expect(page.body).toContain(sentence);
      expect(page.body).toContain('wikipedia.org');
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'|script-src/);
    }
    // The portal's own host, an OS probe on any host, and a device with no session are untouched.
    expect((await visit(AMIR, 'portal.school.test', '/status')).body).not.toContain('Focus mode');
    expect((await visit(AMIR, 'connectivitycheck.gstatic.com', '/generate_204')).statusCode).toBe(204);
    expect((await visit('127.0.0.99', 'wikipedia.org')).body).not.toContain('Focus mode');
    await services.focus.stop(teacher, focus.id);
  });

  it('records a site request from the button; the teacher allows it for the lesson and the site then resolves', async () => {
    const focus = await services.focus.start(teacher, { users: ['amir'], minutes: 45, allow: ['exam.example'], name: 'Biology' });
    await waitFor(async () => ((await first(AMIR, 'wikipedia.org')) === BLOCK ? true : undefined), 1000, 'the focus');
    const page = await visit(AMIR, 'wikipedia.org');
    const sent = await fixture.app.inject({
      method: 'POST', url: '/blocked/request', remoteAddress: AMIR,
      // As a browser posts the page's form: the page was shown under the blocked site's name.
      headers: { host: 'wikipedia.org', cookie: cookiesOf(page), origin: 'http://wikipedia.org', 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' },
      payload: new URLSearchParams({ reason: 'project' }).toString(),
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.body).toContain('Ваш запрос отправлен учителям.');
    const [request] = await services.siteRequests.list(teacher);
    expect(request).toMatchObject({ school: 'sch-1', domain: 'wikipedia.org', user: 'amir', ip: AMIR, rule: 'focus', focus: focus.id, reason: 'project' });

    const { until, span } = await services.siteRequests.allow(teacher, request!.id, 'lesson');
    expect([span, until]).toEqual(['lesson', focus.until]);
    await waitFor(async () => ((await first(AMIR, 'wikipedia.org')) === '10.9.0.6' ? true : undefined), 1000, 'the grant');
    expect(await services.siteRequests.list(teacher, { state: 'pending' })).toEqual([]);
    const actions = (await fixture.store.audit.recent(50)).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['site-request.create', 'content.grant', 'site-request.allow']));
    // Posted from another site, or by a client that does not say from where, the button does nothing.
    for (const from of [{}, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }]) {
      const forged = await fixture.app.inject({ method: 'POST', url: '/blocked/request', remoteAddress: AMIR, headers: { host: 'wikipedia.org', 'content-type': 'application/x-www-form-urlencoded', ...from }, payload: 'reason=x' });
      expect(forged.statusCode).toBe(403);
    }
    await services.focus.stop(teacher, focus.id);
  });

  it('allows a site blocked by the profile for the rest of the school day when no focus runs', async () => {
    await fixture.store.content.profiles.set('safe', undefined, { blockDomains: ['games.example'] }, 'test');
    await waitFor(async () => ((await first(AMIR, 'games.example')) === BLOCK ? true : undefined), 2000, 'the profile block');
    const page = await visit(AMIR, 'games.example');
    expect(page.body).toContain('Your school blocks this site.');
    const sent = await fixture.app.inject({ method: 'POST', url: '/blocked/request', remoteAddress: AMIR, headers: { host: 'games.example', origin: 'http://games.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(sent.statusCode, sent.body).toBe(200);
    const [request] = await services.siteRequests.list(teacher, { state: 'pending' });
    expect(request).toMatchObject({ domain: 'games.example', rule: 'block-domain' });
    const { until, span } = await services.siteRequests.allow(teacher, request!.id, 'day');
    const midnight = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(until);
    expect([span, midnight]).toEqual(['day', '00:00']);
    await waitFor(async () => ((await first(AMIR, 'games.example')) === '10.9.0.7' ? true : undefined), 1000, 'the grant');
    // The teacher's own devices were never blocked; the grant changes nothing there.
    expect(await first(DANA, 'games.example')).toBe('10.9.0.7');
  });
});
