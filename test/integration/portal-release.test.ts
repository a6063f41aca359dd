// Crafted portal links (issue 8, items 6 and 7), against the real app, redis-server and
// radclient: the browser is released only to an access point the NAS record allows, a signed
// CoovaChilli redirect must carry a valid md, and "remember this device" takes effect only when
// the AP's Access-Request presents the token from the MAC it is bound to — never over an
// admin's registration.
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const PUBLIC = 'http://portal.school.test';
const SECRET = 'release-secret-1';
const UAM_SECRET = 'uam-secret-40';
const CHALLENGE = '00112233445566778899aabbccddeeff';
let fx: AppFixture;

beforeAll(async () => {
  fx = await startAppFixture({ PUBLIC_URL: PUBLIC });
  await fx.store.schools.add({ id: 'sch-r', name: 'School R' }, 'test');
  await fx.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', school: 'sch-r', nasId: 'gen-r', rejectDelayMs: 0 }, 'test');
  await fx.store.nas.add('10.40.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-r', nasId: 'ch-plain' }, 'test');
  await fx.store.nas.add('10.40.0.2', { secret: SECRET, vendor: 'chilli', school: 'sch-r', nasId: 'ch-signed', uamSecret: UAM_SECRET }, 'test');
  await fx.store.nas.add('10.50.0.2', { secret: SECRET, vendor: 'cisco', school: 'sch-r', loginUrl: 'https://192.0.2.1/login.html' }, 'test');
  for (const [address, nasId] of [['10.50.0.3', 'wlc-a'], ['10.50.0.4', 'wlc-b']]) {
    await fx.store.nas.add(address!, { secret: SECRET, vendor: 'cisco', school: 'sch-r', nasId: nasId!, loginUrl: 'https://192.0.2.9/login.html' }, 'test');
  }
  await fx.store.users.add({ username: 'pupil-r', password: 'pupil-r-password', role: 'student', school: 'sch-r' }, 'test');
  await waitFor(async () => (fx.app.nasDirectory.size() === 6 ? true : undefined), 2000, 'the NAS clients');
});
afterAll(async () => {
  await fx?.close();
});

const page = (url: string) => fx.app.inject({ url, headers: { 'accept-language': 'en' } });
const refused = (answer: LightMyRequestResponse) => answer.statusCode === 400 && answer.body.includes('did not come from your school Wi-Fi');
const chilli = (uamip: string, nasid: string) => `/?res=notyet&uamip=${uamip}&uamport=3990&challenge=${CHALLENGE}&mac=00-1B-63-40-00-01&ip=10.40.0.9&nasid=${nasid}`;
const signed = (path: string, secret: string) => `${path}&md=${createHash('md5').update(`${PUBLIC}${path}`).update(secret).digest('hex').toUpperCase()}`;

async function signIn(url: string, remember: boolean): Promise<Record<string, string> & { action: string }> {
  const form = await page(url);
  expect(form.statusCode).toBe(200);
  const answer = await fx.app.inject({
    method: 'POST', url: '/login',
    headers: { cookie: form.cookies.map((c) => `${c.name}=${c.value}`).join('; '), origin: PUBLIC, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username: 'pupil-r', password: 'pupil-r-password', ...(remember ? { remember: '1' } : {}) }).toString(),
  });
  expect(answer.body).toContain('id="release"');
  const fields = Object.fromEntries([...answer.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
  return { ...fields, action: /<form id="release" method="\w+" action="([^"]+)"/.exec(answer.body)![1]!.replace(/&amp;/g, '&') };
}

describe('a crafted link cannot send the release elsewhere (item 6)', () => {
  it('refuses a login URL outside the named NAS, and one that leads to no registered NAS', async () => {
    expect((await page(chilli('10.40.0.1', 'ch-plain'))).statusCode).toBe(200);
    expect(refused(await page(chilli('10.66.6.6', 'ch-plain')))).toBe(true);
    expect(refused(await page(chilli('10.66.6.6', 'no-such-nas')))).toBe(true);
    // An identifier no NAS has is not needed when the login URL is the NAS's own address.
    expect((await page(chilli('10.40.0.1', 'no-such-nas'))).statusCode).toBe(200);
    expect(refused(await page('/?link-login-only=http%3A%2F%2F10.66.6.6%2Flogin&identity=gen-r&mac=00:1B:63:40:00:02'))).toBe(true);
    expect(refused(await page('/?login_url=http%3A%2F%2Fattacker.example%2Flogin&mac=00:1B:63:40:00:03'))).toBe(true);
  });

  it('releases a vendor that names no NAS only under the login URL configured for one', async () => {
    const switchUrl = (url: string) => `/?switch_url=${encodeURIComponent(url)}&client_mac=00:1B:63:40:00:04&wlan=school`;
    expect(refused(await page(switchUrl('https://evil.example/login.html')))).toBe(true);
    expect(refused(await page(switchUrl('https://192.0.2.1/elsewhere')))).toBe(true);
    const release = await signIn(switchUrl('https://192.0.2.1/login.html'), false);
    expect(release.action).toBe('https://192.0.2.1/login.html');
    // Two WLCs behind one virtual login URL: only the portal URL's own ?nasid= tells them apart.
    expect(refused(await page(switchUrl('https://192.0.2.9/login.html')))).toBe(true);
    expect((await page(`${switchUrl('https://192.0.2.9/login.html')}&nasid=wlc-b`)).statusCode).toBe(200);
  });

  it('checks CoovaChilli\'s md signature when the NAS has a uamsecret', async () => {
    const path = chilli('10.40.0.2', 'ch-signed');
    expect((await page(signed(path, UAM_SECRET))).statusCode).toBe(200);
    for (const url of [path, signed(path, 'not-the-secret'), signed(path, UAM_SECRET).replace('00-1B-63-40-00-01', '00-1B-63-40-00-66')]) {
      const answer = await page(url);
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toContain('This link is not valid');
    }
  });
});

describe('remember this device only once the AP confirms the MAC (item 7)', () => {
  const link = (mac: string) => `/?login_url=http%3A%2F%2F127.0.0.1%2Flogin&nasid=gen-r&mac=${mac}&ip=10.0.0.9`;
  const accessRequest = (release: Record<string, string>, mac: string) =>
    radclient(fx.auth, 'auth', SECRET, `User-Name=${release.username ?? ''},User-Password=${release.password ?? ''},Calling-Station-Id=${mac},NAS-Identifier=gen-r,Message-Authenticator=0x00`, 5);

  it('remembers nothing at sign-in, nothing for a token from another MAC, and the device once the AP presents it', async () => {
    const mac = '00:1b:63:70:00:01';
    const release = await signIn(link('00-1B-63-70-00-01'), true);
    expect(await fx.store.devices.get(mac)).toBeUndefined();

    const foreign = await accessRequest(release, '00-1B-63-70-00-99');
    expect(foreign.reply).toBe('Access-Reject');
    expect(await fx.store.devices.get(mac)).toBeUndefined();
    expect(await fx.store.devices.get('00:1b:63:70:00:99')).toBeUndefined();

    expect((await accessRequest(release, '00-1B-63-70-00-01')).reply).toBe('Access-Accept');
    const device = await fx.store.devices.get(mac);
    expect(device).toMatchObject({ role: 'student', user: 'pupil-r', school: 'sch-r', registeredBy: 'portal' });
    expect(Date.parse(device!.until!) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
  });

  it('never takes over or shortens a device an admin registered', async () => {
    const mac = '00:1b:63:70:00:02';
    await fx.store.devices.add({ mac, role: 'teacher', user: 'mr-bek', school: 'sch-r' }, 'cli:admin');
    const release = await signIn(link('00-1B-63-70-00-02'), true);
    expect((await accessRequest(release, '00-1B-63-70-00-02')).reply).toBe('Access-Accept');
    const device = await fx.store.devices.get(mac);
    expect(device).toMatchObject({ role: 'teacher', user: 'mr-bek', registeredBy: 'admin' });
    expect(device!.until).toBeUndefined();
  });

  it('keeps a remembered device that lasts longer, and refreshes one that ends sooner', async () => {
    const mac = '00:1b:63:70:00:03';
    const far = new Date(Date.now() + 30 * 86_400_000).toISOString();
    expect(await fx.store.devices.remember({ mac, role: 'teacher', user: 'ms-aida', until: far }, 'portal:ms-aida')).toBe('remembered');
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    expect(await fx.store.devices.remember({ mac, role: 'student', user: 'pupil-r', until: soon }, 'portal:pupil-r')).toBe('kept-longer-registration');
    expect(await fx.store.devices.get(mac)).toMatchObject({ role: 'teacher', user: 'ms-aida', until: far });
    const later = new Date(Date.now() + 31 * 86_400_000).toISOString();
    expect(await fx.store.devices.remember({ mac, role: 'teacher', user: 'ms-aida', until: later }, 'portal:ms-aida')).toBe('remembered');
    expect((await fx.store.devices.get(mac))!.until).toBe(later);
  });
});
