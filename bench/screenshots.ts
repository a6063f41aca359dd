// Renders the login page in Kazakh, Russian and English at phone width into docs/screenshots/
// for the README, and the console's Dashboard, Policies and Users pages in the three languages at
// desktop (1280 px) and phone (390 px) width for docs/console.md (a script to run by hand, not part of
// the tests): npm run screenshots. Also the voucher print sheet (docs/vouchers.md) in print media.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureDebianPackages } from '../src/setup/debian.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { seedDashboard } from './lib/dashboard-demo.js';
import { shootGuests } from './lib/guest-screenshots.js';
import { freePort } from '../test/helpers/ports.js';

if (!ensureDebianPackages([{ command: 'redis-server', pkg: 'redis-server' }, { command: 'chromium', pkg: 'chromium' }, { command: 'radclient', pkg: 'freeradius-utils' }])) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 'mk-shots-'));
const port = await freePort();
const publicUrl = `http://127.0.0.1:${port}`;
const [authPort, acctPort] = [await freePort(), await freePort()];
const env = { ...process.env, DATA_DIR: dir, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), PUBLIC_URL: publicUrl, RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: String(authPort), RADIUS_ACCT_PORT: String(acctPort), LOG_LEVEL: 'warn' };
const cli = (...args: string[]) => spawnSync(process.execPath, ['src/cli/bin.js', ...args], { env, stdio: 'inherit' });
cli('school', 'add', 'sch-12', '--name', '№12 мектеп-гимназия');
cli('nas', 'add', '10.12.0.1', '--secret', 'screenshot-secret', '--vendor', 'chilli', '--school', 'sch-12', '--nas-id', 'demo');
// The console's Policies and Users pages: a school admin, a policy with an override, a few users.
spawnSync(process.execPath, ['src/cli/bin.js', 'admin', 'create', 'dana', '--role', 'school-admin', '--school', 'sch-12', '--name', 'Дана Омарова', '--password-stdin'], { env, input: 'screenshot-pass-1' });
cli('policy', 'set', 'student', '--down', '5M', '--up', '1M', '--daily-quota', '2GB', '--session-timeout', '8h', '--schedule', 'mon-sat 08:00-18:00', '--no-apply');
cli('policy', 'set', 'student', '--school', 'sch-12', '--down', '10M', '--max-devices', '2', '--no-apply');
const roster = join(dir, 'users.csv');
writeFileSync(roster, ['username;name;role;school;password', 'aruzhan.s;Аружан Серикова;student;sch-12;', 'dias.k;Диас Қасымов;student;sch-12;', 'madina.a;Мадина Ахметова;teacher;sch-12;', 'erlan.b;Ерлан Бекұлы;student;sch-12;'].join('\r\n'));
cli('user', 'import', roster);
// The dashboard: an access point on loopback that radclient plays, and users who log in over it.
cli('nas', 'add', '127.0.0.1', '--secret', 'screenshot-secret', '--vendor', 'mikrotik', '--school', 'sch-12', '--name', 'Кітапхана / Library');
cli('user', 'add', 'asel.n', '--role', 'student', '--school', 'sch-12', '--name', 'Әсел Нұрланқызы', '--password', 'asel-pass-1');
cli('user', 'add', 'gulnar.t', '--role', 'teacher', '--school', 'sch-12', '--name', 'Гүлнар Төлеуова', '--password', 'gulnar-pass-1');
cli('user', 'add', 'bolat.k', '--role', 'staff', '--school', 'sch-12', '--name', 'Болат Кенжебаев', '--password', 'bolat-pass-1');
// A batch of guest vouchers for a parents' evening, on the school's own Wi-Fi name.
cli('school', 'set', 'sch-12', '--ssid', 'Mektep-12 Guests');
const vouchers = spawnSync(process.execPath, ['src/cli/bin.js', 'voucher', 'create', '--role', 'guest', '--duration', '3h', '--count', '8', '--school', 'sch-12', '--note', 'Ата-аналар жиналысы, 12 наурыз', '--json'], { env });
const voucherBatch = (JSON.parse(vouchers.stdout.toString()) as { id: string }).id;
const server = spawn(process.execPath, ['dist/server.js'], { env, stdio: 'inherit' });
try {
  const entry = `${publicUrl}/?res=notyet&uamip=10.12.0.1&uamport=3990&challenge=00112233445566778899aabbccddeeff&mac=00-1B-63-12-00-01&ip=10.12.0.50&nasid=demo&userurl=http%3A%2F%2Fexample.org%2F`;
  for (let tries = 0; tries < 100 && !(await fetch(entry).then((r) => r.ok, () => false)); tries++) await new Promise((resolve) => setTimeout(resolve, 200));
  const html = await (await fetch(entry, { headers: { 'accept-language': 'kk' } })).text();
  console.log(`login page: ${Buffer.byteLength(html)} bytes, ${gzipSync(html).length} bytes gzip-compressed`);
  await seedDashboard({
    dataDir: dir, authPort, acctPort, secret: 'screenshot-secret', school: 'sch-12', utcOffset: 5,
    users: [{ username: 'asel.n', password: 'asel-pass-1', mac: '00-1B-63-12-00-07', octets: [840_000_000, 62_000_000] }, { username: 'gulnar.t', password: 'gulnar-pass-1', mac: '00-1B-63-12-00-08', octets: [310_000_000, 45_000_000] },
      { username: 'bolat.k', password: 'bolat-pass-1', mac: '00-1B-63-12-00-09', octets: [120_000_000, 9_000_000] }],
  });
  const browser = await launchBrowser();
  for (const lang of ['kk', 'ru', 'en']) {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, locale: lang });
    await page.goto(`${entry}&lang=${lang}`);
    await page.screenshot({ path: `docs/screenshots/login-${lang}.png`, fullPage: true });
    await page.close();
    console.log(`docs/screenshots/login-${lang}.png`);
  }
  for (const [width, suffix] of [[1280, 'desktop'], [390, 'phone']] as const) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, locale: 'en' });
    await page.goto(`${publicUrl}/console/login`);
    await page.getByLabel('Username').fill('dana');
    await page.getByLabel('Password').fill('screenshot-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${publicUrl}/console/`);
    for (const lang of ['kk', 'ru', 'en']) {
      for (const [name, path] of [['dashboard', '/console/'], ['policies', '/console/policies?role=student'], ['users', '/console/users']] as const) {
        await page.goto(`${publicUrl}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        await page.screenshot({ path: `docs/screenshots/console-${name}-${lang}-${suffix}.png`, fullPage: true });
        console.log(`docs/screenshots/console-${name}-${lang}-${suffix}.png`);
      }
    }
    if (suffix === 'desktop') {
      await page.goto(`${publicUrl}/console/vouchers/print?batch=${voucherBatch}&lang=kk`);
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.screenshot({ path: 'docs/screenshots/vouchers-print.png', fullPage: true });
      console.log('docs/screenshots/vouchers-print.png');
      await page.emulateMedia({ media: 'screen' });
    }
    await page.close();
  }
  // docs/guests.md: the guest form, the waiting page and the teacher's Guests page.
  for (const path of await shootGuests({ browser, publicUrl, entry, env, school: 'sch-12' })) console.log(path);
  await browser.close();
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
