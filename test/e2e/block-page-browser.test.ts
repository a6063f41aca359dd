// The block page in real Chromium: a student's browser (its address online by real RADIUS
// accounting, in lesson focus) opens a blocked site that Chromium resolves to Mektep, reads why
// in kk/ru/en (screenshots into $SCREENSHOT_DIR, e.g. docs/screenshots, when set), and presses "request access";
// a teacher in a second browser context finds it in the guests' approval list (/console/guests,
// marked "Site request", counted in the menu's badge) and allows it for the lesson, and the
// resolver then answers the site for the student.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../src/services/index.js';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { freePort, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

// A test run leaves the tracked screenshots alone unless asked to refresh them.
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;
const SECRET = 'block-browser-secret';
const STUDENT = '127.0.0.1';

let upstream: Dnsmasq;
let fixture: AppFixture;
let browser: Browser;
let web: number;
let dnsPort: number;

beforeAll(async () => {
  upstream = await startDnsmasq(['--txt-record=ready.upstream.test,ok', '--address=/games.example/10.9.0.6']);
  web = await freePort();
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${web}` });
  await fixture.app.listen({ host: '127.0.0.1', port: web });
  dnsPort = fixture.app.dns!.port();
  const { store } = fixture;
  await store.schools.add({ id: 'sch-1', name: 'Школа №5', timezone: 'Asia/Almaty' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1' }, 'test');
  await store.users.add({ username: 'amir', password: 'amir-password', role: 'student', school: 'sch-1' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  const login = await radclient(fixture.auth, 'auth', SECRET, 'User-Name=amir,User-Password=amir-password,Message-Authenticator=0x00');
  const start = `Acct-Status-Type=Start,Acct-Session-Id=bb-1,User-Name=amir,Framed-IP-Address=${STUDENT},Class=${login.attributes.Class![0]}`;
  expect((await radclient(fixture.acct, 'acct', SECRET, start)).reply).toBe('Accounting-Response');
  // As test/helpers/browser.ts, plus: games.example goes to Mektep, as the block address sends it.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP games.example 127.0.0.1'],
  });
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await upstream?.stop();
});

describe('the block page in Chromium', () => {
  it('explains focus mode in three languages, and a request access a teacher allows in the console', async () => {
    const services = createServices({ store: fixture.store, enforcer: fixture.app.services.enforcer, admit: fixture.app.services.admit });
    const focus = await services.focus.start({ kind: 'root', actor: 'test' }, { school: 'sch-1', users: ['amir'], minutes: 45, allow: ['exam.example'], name: 'Algebra' });
    await waitFor(async () => ((await dig(dnsPort, STUDENT, 'games.example')).answers[0]?.data === '127.0.0.1' ? true : undefined), 1000, 'the focus');
    const until = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(focus.until);
    const expected = { kk: `Сабақ режимі: Algebra, ${until} дейін`, ru: `Режим урока: Algebra до ${until}`, en: `Focus mode: Algebra until ${until}` };
    const args = { viewport: { width: 390, height: 760 } };

    for (const [lang, sentence] of Object.entries(expected)) {
      const context = await browser.newContext({ ...args, locale: lang });
      const page = await context.newPage();
      await page.goto(`http://games.example:${web}/wiki/Main_Page`).catch(() => undefined);
      await expect.poll(() => page.locator('[role=alert]').textContent()).toBe(sentence);
      if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/block-${lang}.png`, fullPage: true });
      if (lang === 'en') {
        await page.getByLabel('Why do you need it? (optional)').fill('history homework');
        await page.getByRole('button', { name: 'Ask a teacher for access' }).click();
        await expect.poll(() => page.locator('main, body').first().textContent()).toContain('Your request was sent to your teachers.');
      }
      await context.close();
    }
    const teacher = await (await browser.newContext({ ...args, locale: 'en' })).newPage();
    await teacher.goto(`http://127.0.0.1:${web}/console/login`);
    await teacher.getByLabel('Username').fill('timur');
    await teacher.getByLabel('Password').fill('timur-password');
    await teacher.getByRole('button', { name: 'Sign in' }).click();
    await teacher.waitForURL(`http://127.0.0.1:${web}/console/`);
    await teacher.goto(`http://127.0.0.1:${web}/console/guests`);
    const card = teacher.locator('li.site-request', { hasText: 'games.example' });
    await expect.poll(() => card.textContent()).toContain('history homework');
    expect(await card.locator('.tag').textContent()).toBe('Site request');
    expect(await teacher.locator('nav .badge').first().textContent()).toBe('1');
    await card.getByRole('button', { name: 'Allow for the lesson games.example' }).click();
    await expect.poll(() => teacher.locator('[role=status]').textContent()).toBe(`Allowed for the class until ${until}.`);
    await waitFor(async () => ((await dig(dnsPort, STUDENT, 'games.example')).answers[0]?.data === '10.9.0.6' ? true : undefined), 1000, 'the grant');
  }, 60_000);
});
