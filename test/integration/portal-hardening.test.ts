// Portal sign-in under attack (issue 8, items 2, 5, 14, 16), against the real app, redis-server
// and radclient: a flood from one address cannot stall RADIUS logins and is told to try again;
// parallel guesses cannot pass the lockout; a failed login costs the same for an unknown user;
// malformed input gets the portal's 400 page, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const PUBLIC = 'http://portal.school.test';
const SECRET = 'hardening-secret-1';
let fx: AppFixture;

beforeAll(async () => {
  fx = await startAppFixture({ PUBLIC_URL: PUBLIC });
  await fx.store.schools.add({ id: 'sch-h', name: 'School H' }, 'test');
  await fx.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-h', nasId: 'ch-h', rejectDelayMs: 0 }, 'test');
  for (const name of ['flood', 'radia', 'guessed', 'known']) await fx.store.users.add({ username: name, password: `${name}-password`, role: 'student', school: 'sch-h' }, 'test');
  await waitFor(async () => fx.app.nasDirectory.byNasId('ch-h'), 2000, 'the NAS');
});
afterAll(async () => {
  await fx?.close();
});

let macs = 0;
const byte = (value: number) => (value & 255).toString(16).padStart(2, '0').toUpperCase();
const nextMac = () => `00-1B-63-00-${byte(++macs >> 8)}-${byte(macs)}`;
const chilliUrl = (mac = nextMac()) =>
  `/?res=notyet&uamip=127.0.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=${mac}&ip=10.0.0.7&nasid=ch-h`;

/** A login page as a browser gets it: its cookies (the signed context). */
async function loginForm(url = chilliUrl()) {
  const page = await fx.app.inject({ url });
  expect(page.statusCode).toBe(200);
  return { cookie: page.cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
}

type Form = Awaited<ReturnType<typeof loginForm>>;

function postLogin(form: Form, fields: string, remoteAddress = '10.0.0.7', lang = 'en'): Promise<LightMyRequestResponse> {
  return fx.app.inject({
    method: 'POST', url: '/login', remoteAddress,
    headers: { cookie: form.cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': lang },
    payload: fields,
  });
}

const released = (response: LightMyRequestResponse) => response.statusCode === 200 && response.body.includes('id="release"');

describe('a flood of portal logins from one address (item 2)', () => {
  it('leaves an unrelated RADIUS login fast, and tells the flood to try again in a moment', async () => {
    const login = 'User-Name=radia,User-Password=radia-password,Message-Authenticator=0x00';
    const timed = async () => {
      const started = performance.now();
      const result = await radclient(fx.auth, 'auth', SECRET, login, 60);
      return { result, ms: performance.now() - started };
    };
    const unloaded = await timed();
    expect(unloaded.result.reply).toBe('Access-Accept');

    // 600 students of one school behind one NAT address, each on their own device.
    await Promise.all(Array.from({ length: 60 }, (_, i) => fx.store.users.add({ username: `pupil-${i}`, password: `pupil-${i}-password`, role: 'student', school: 'sch-h' }, 'test')));
    const forms: Form[] = [];
    for (let i = 0; i < 600; i++) forms.push(await loginForm());
    let done = 0;
    const flood = forms.map((form, i) => postLogin(form, `username=pupil-${i % 60}&password=pupil-${i % 60}-password`, '10.9.9.9', 'ru').finally(() => done++));
    // The RADIUS login arrives while the flood is being worked through.
    await waitFor(async () => (done >= 20 ? true : undefined), 60_000, 'the flood to start');
    const loaded = await timed();
    const answers = await Promise.all(flood);

    expect(loaded.result.reply).toBe('Access-Accept');
    expect(loaded.ms).toBeLessThan(unloaded.ms * 4 + 1500);
    expect(answers.filter((answer) => answer.statusCode >= 500 && answer.statusCode !== 503)).toEqual([]);
    const busy = answers.filter((answer) => answer.statusCode === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.headers['retry-after']).toMatch(/^\d+$/);
    expect(busy[0]!.body).toContain('Слишком много входов одновременно');
    expect(answers.filter(released).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('lockout under parallel guesses (item 5)', () => {
  it('checks at most 10 passwords of a parallel burst, so the right one at the end is refused', async () => {
    const form = await loginForm();
    const guesses = Array.from({ length: 200 }, (_, i) => postLogin(form, `username=guessed&password=wrong-${i}`, `10.8.${i >> 8}.${i & 255}`));
    guesses.push(postLogin(form, 'username=guessed&password=guessed-password', '10.8.9.9'));
    const answers = await Promise.all(guesses);
    const checked = answers.filter((answer) => answer.statusCode === 401 || released(answer));
    expect(checked.length).toBeLessThanOrEqual(10);
    expect(released(answers.at(-1)!)).toBe(false);
    expect(answers.at(-1)!.statusCode).toBe(429);
  }, 120_000);
});

describe('no username enumeration on the portal (item 14)', () => {
  it('spends as long on an unknown username as on a wrong password of a real one', async () => {
    const time = async (username: string) => {
      const form = await loginForm();
      const started = performance.now();
      for (let i = 0; i < 4; i++) expect((await postLogin(form, `username=${username}&password=not-it-${i}`)).statusCode).toBe(401);
      return performance.now() - started;
    };
    await time('known');
    const known = await time('known');
    const unknown = await time('nobody-here');
    expect(unknown).toBeGreaterThan(known / 3);
  });

  it('answers a duplicated password field the same for a real and an unknown username', async () => {
    const form = await loginForm();
    const real = await postLogin(form, 'username=known&password=a&password=b', '10.0.0.7', 'ru');
    const unknown = await postLogin(form, 'username=nobody-here&password=a&password=b', '10.0.0.7', 'ru');
    expect(real.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(400);
    expect(real.body).toContain('Эта ссылка недействительна');
  });
});

describe('malformed input gets the portal\'s 400 page (item 16)', () => {
  it.each([
    ['CoovaChilli, two MACs', `${chilliUrl()}&mac=00-1B-63-00-00-02`],
    ['MikroTik, two MACs', '/?link-login-only=http%3A%2F%2F127.0.0.1%2Flogin&identity=ch-h&mac=00:1B:63:00:00:01&mac=00:1B:63:00:00:02'],
    ['Cisco, two MACs', '/?switch_url=https%3A%2F%2F127.0.0.1%2Flogin.html&client_mac=00:1B:63:00:00:01&client_mac=00:1B:63:00:00:02'],
    ['UniFi, two ids', '/guest/s/default/?id=00:1b:63:00:00:01&id=00:1b:63:00:00:02&ap=00:1b:63:00:00:09'],
    ['openNDS, two authdirs', '/?hid=abc&gatewayaddress=127.0.0.1:2050&gatewayname=ch-h&authdir=a&authdir=b'],
    ['an over-long value', `/?login_url=http%3A%2F%2F127.0.0.1%2F&nasid=${'x'.repeat(5000)}`],
    ['the status page, two languages', '/status?lang=kk&lang=ru'],
  ])('%s', async (_name, url) => {
    const answer = await fx.app.inject({ url, headers: { 'accept-language': 'ru' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.body).toContain('Эта ссылка недействительна');
  });

  it('refuses a password that is not a string with 400, not 500', async () => {
    const form = await loginForm();
    const answer = await fx.app.inject({
      method: 'POST', url: '/login', headers: { cookie: form.cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', 'accept-language': 'ru' },
      payload: JSON.stringify({ username: 'known', password: { $gt: '' } }),
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('Эта ссылка недействительна');
  });
});
