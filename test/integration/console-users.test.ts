// The console's Users page against real Redis: scope (a school admin sees and changes only their
// school's users; a teacher nothing), paging, add and reset with a password shown once, disable
// (a live session disconnected through a real UDP peer, and the page says how many), expiry, the
// CSV export Excel opens right, and the CSV import: a dry run that lists every bad line of a
// Windows-1251 file and writes nothing, then a good file checked and confirmed.
import { createSocket, type Socket } from 'node:dgram';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeReply, parseFrame } from '../../src/radius-wire/packet.js';
import { checkPassword } from '../../src/security/password.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SECRET = 'users-page-secret';
let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;
let peer: Socket;

const cp1251 = (text: string) => Buffer.from([...text].map((char) => (char >= 'А' && char <= 'я' ? char.charCodeAt(0) - 0x410 + 0xc0 : char.charCodeAt(0))));

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  redis = server.client();
  store = createStore(redis);
  // The access point's CoA port: it acknowledges every Disconnect-Request (RFC 5176 §3.2).
  peer = createSocket('udp4');
  peer.on('message', (message, from) => {
    const frame = parseFrame(message);
    if (typeof frame !== 'string') peer.send(encodeReply({ code: 41, identifier: frame.identifier, requestAuthenticator: frame.authenticator, attributes: [], secret: SECRET, proxyStates: [], messageAuthenticator: true }), from.port, from.address);
  });
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
});
afterAll(async () => {
  peer?.close();
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await migrate(redis);
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.users.add({ username: 'aruzhan', name: 'Аружан Серикова', password: 'aruzhan-pass', role: 'student', school: 'sch-1' }, 'test');
  await store.users.add({ username: 'madi', name: '=HYPERLINK("x")', password: 'madi-password', role: 'teacher', school: 'sch-1' }, 'test');
  await store.users.add({ username: 'zhanna', name: 'Жанна', password: 'zhanna-password', role: 'student', school: 'sch-2' }, 'test');
});

async function signedIn(username: string, password: string, language = 'en'): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, '10.9.3.1', language);
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

/** A browser's file upload: multipart/form-data with this browser's cookies and CSRF token. */
async function upload(browser: ConsoleBrowser, file: Buffer, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const boundary = '----mektep-test-boundary';
  const parts = [
    ...Object.entries({ _csrf: browser.csrf, ...fields }).map(([name, value]) => Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="users.csv"\r\ncontent-type: text/csv\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return app.inject({ method: 'POST', url: '/console/users/import', remoteAddress: browser.ip, payload: Buffer.concat(parts), headers: { cookie, 'accept-language': browser.language, 'content-type': `multipart/form-data; boundary=${boundary}` } });
}

describe('the users page', () => {
  it("shows a school admin their school's users only, searches by name, and refuses a teacher", async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/users');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('aruzhan');
    expect(page.body).not.toContain('zhanna');
    expect(page.body).toContain('Page 1 of 1 (2 users)');
    // An empty search shows an empty field, not the word "undefined".
    expect(page.body).toContain('name="q" value=""');
    const found = await dana.get(`/console/users?q=${encodeURIComponent('серик')}`);
    expect(found.body).toContain('aruzhan');
    expect(found.body).not.toContain('>madi<');
    expect((await dana.get('/console/users?school=sch-2')).statusCode).toBe(403);
    // Another school's user is not even known to exist.
    expect((await dana.post('/console/users/zhanna/status', { status: 'disabled' })).statusCode).toBe(404);
    expect((await store.users.get('zhanna'))?.status).toBe('active');

    const timur = await signedIn('timur', 'timur-password');
    expect((await timur.get('/console/')).body).not.toContain('href="/console/users"');
    for (const url of ['/console/users', '/console/users/export.csv', '/console/users/import']) expect((await timur.get(url)).statusCode, url).toBe(403);
  });

  it('adds a user and resets a password, each password shown once, audited with actor, school and address', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/users');
    const added = await dana.post('/console/users', { username: 'Dias', name: 'Диас', role: 'student', expires: '2027-06-30' });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('User dias is added.');
    const password = /dias: <code class="secret">([^<]+)<\/code>/.exec(added.body)?.[1];
    expect(password).toBeDefined();
    const stored = await store.users.get('dias');
    expect(stored).toMatchObject({ school: 'sch-1', role: 'student', expiresAt: '2027-06-30T23:59:59.000Z' });
    expect(await checkPassword(password!, stored!.passwordHash)).toBe(true);
    expect((await store.audit.list({ action: 'user.add', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', target: 'dias', school: 'sch-1', source: '10.9.3.1' });
    // The list shows no password afterwards.
    expect((await dana.get('/console/users?q=dias')).body).not.toContain(password!);

    const cyrillic = await dana.post('/console/users', { username: 'Диас', role: 'student' });
    expect(cyrillic.statusCode).toBe(400);
    expect(cyrillic.body).toContain('Cyrillic and other non-Latin letters are not supported in usernames');

    const reset = await dana.post('/console/users/aruzhan/password', {});
    const fresh = /aruzhan: <code class="secret">([^<]+)<\/code>/.exec(reset.body)?.[1];
    expect(fresh).toBeDefined();
    const after = await store.users.get('aruzhan');
    expect(await checkPassword(fresh!, after!.passwordHash)).toBe(true);
    expect(await checkPassword('aruzhan-pass', after!.passwordHash)).toBe(false);
    expect((await store.audit.list({ action: 'user.passwd', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', target: 'aruzhan', school: 'sch-1' });
  });

  it("disables a user, disconnects their live session at once and says how many; sets and clears the expiry", async () => {
    await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-1', coaPort: peer.address().port, rejectDelayMs: 0 }, 'test');
    await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
    const login = await radclient(app.radius.auth.port(), 'auth', SECRET, 'User-Name=aruzhan,User-Password=aruzhan-pass,Calling-Station-Id=AA-BB-CC-03-00-01,Message-Authenticator=0x00');
    expect(login.reply).toBe('Access-Accept');
    await radclient(app.radius.acct.port(), 'acct', SECRET, `Acct-Status-Type=Start,Acct-Session-Id=usr-1,User-Name=aruzhan,NAS-IP-Address=127.0.0.1,Class=${login.attributes.Class![0]!}`);

    const dana = await signedIn('dana', 'dana-password-1', 'ru');
    await dana.get('/console/users');
    const disabled = await dana.post('/console/users/aruzhan/status', { status: 'disabled' });
    expect(disabled.statusCode).toBe(303);
    expect((await dana.get(disabled.headers.location as string)).body).toContain('Пользователь aruzhan отключён; отключено активных сеансов: 1.');
    expect((await store.users.get('aruzhan'))?.status).toBe('disabled');
    expect((await store.audit.list({ action: 'session.disconnect', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', detail: expect.objectContaining({ outcome: 'ack' }) });

    const set = await dana.post('/console/users/aruzhan/expiry', { expires: '2027-05-31' });
    expect(set.statusCode).toBe(303);
    expect((await store.users.get('aruzhan'))?.expiresAt).toBe('2027-05-31T23:59:59.000Z');
    expect((await dana.post('/console/users/aruzhan/expiry', { expires: '2027-05-31', clear: '1' })).statusCode).toBe(303);
    expect((await store.users.get('aruzhan'))?.expiresAt).toBeUndefined();
    expect((await store.audit.list({ action: 'user.expiry', count: 2 })).map((entry) => entry.actor)).toEqual(['account:dana', 'account:dana']);
  });

  it('exports the users in scope as CSV that Excel opens right: BOM, the locale\'s separator, no formulas', async () => {
    const dana = await signedIn('dana', 'dana-password-1', 'ru');
    const file = await dana.get('/console/users/export.csv');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(file.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(file.body.slice(1).split('\r\n')).toEqual([
      'username;name;role;school;status;expires',
      'aruzhan;Аружан Серикова;student;sch-1;active;',
      'madi;"\'=HYPERLINK(""x"")";teacher;sch-1;active;',
      '',
    ]);
    const rita = await signedIn('rita', 'rita-password-1');
    const all = await rita.get('/console/users/export.csv?school=sch-2');
    expect(all.body.slice(1).split('\r\n')[0]).toBe('username,name,role,school,status,expires');
    expect(all.body).toContain('zhanna,Жанна,student,sch-2');
    expect(all.body).not.toContain('aruzhan');
  });

  it('lists every bad line of a Windows-1251 file with its number and reason, importing nothing; then imports a good file on confirmation', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/users/import');
    const bad = cp1251('username;name;role;school;password\r\nerlan;Ерлан Ахметов;student;;\r\nАйгерим;Айгерим;student;;\r\nbolat;Болат;pilot;;\r\nerlan;Ерлан;student;;\r\nsaule;Сауле;student;sch-2;\r\naruzhan;Аружан;student;;\r\n');
    const report = await upload(dana, bad);
    expect(report.statusCode).toBe(422);
    expect(report.body).toContain('5 line(s) have errors. Nothing was imported');
    expect(report.body).toContain('Read as: windows-1251');
    const rows = [...report.body.matchAll(/<td data-label="Line">(\d+)<\/td><td data-label="Username">([^<]*)<\/td><td data-label="What is wrong" lang="en">([^<]*)<\/td>/g)].map((match) => [Number(match[1]), match[2], match[3]]);
    expect(rows.map(([line]) => line)).toEqual([3, 4, 5, 6, 7]);
    expect(rows[0]![2]).toContain('Cyrillic and other non-Latin letters are not supported in usernames');
    expect(rows[1]![2]).toContain('role &quot;pilot&quot; does not exist');
    expect(rows[2]![2]).toContain('is also on line 2');
    expect(rows[3]![2]).toContain('school &quot;sch-2&quot; is not the school sch-1');
    expect(rows[4]![2]).toContain('user &quot;aruzhan&quot; already exists');
    expect(report.body).not.toContain('/console/users/import/confirm');
    expect(await store.users.get('erlan')).toBeUndefined();

    // The same file read as UTF-8 by choice is refused, not turned into U+FFFD.
    const wrong = await upload(dana, bad, { encoding: 'utf-8' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('the file is not valid UTF-8');

    const lines = Array.from({ length: 55 }, (_, index) => `pupil${String(index).padStart(2, '0')},Оқушы ${index},student,,`);
    const good = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`username,name,role,school,password\n${lines.join('\n')}\n`)]);
    const checked = await upload(dana, good);
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain('All 55 users are correct. Nothing is written until you confirm.');
    expect(await store.users.get('pupil00')).toBeUndefined();
    const csv = /name="csv" value="([^"]+)"/.exec(checked.body)![1]!;
    const imported = await dana.post('/console/users/import/confirm', { csv });
    expect(imported.statusCode).toBe(200);
    expect(imported.body).toContain('55 users are imported.');
    expect([...imported.body.matchAll(/<code class="secret">/g)]).toHaveLength(55);
    expect(await store.users.get('pupil07')).toMatchObject({ name: 'Оқушы 7', school: 'sch-1', role: 'student' });
    expect((await store.audit.list({ action: 'user.import', count: 1 }))[0]).toMatchObject({ actor: 'account:dana', school: 'sch-1', source: '10.9.3.1' });

    // 57 users now: two pages, at most 50 rows on one.
    const first = await dana.get('/console/users');
    expect(first.body).toContain('Page 1 of 2 (57 users)');
    expect([...first.body.matchAll(/<td data-label="Username">/g)]).toHaveLength(50);
    expect((await dana.get('/console/users?page=2')).body).toContain('Page 2 of 2 (57 users)');
  });

  it('takes a file up to 2 MB in both steps, and refuses a larger one with a sentence, not a 413', async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/users/import');
    const padding = 'x'.repeat(60);
    const lines = Array.from({ length: 18_000 }, (_, index) => `user${String(index).padStart(5, '0')},Name ${padding},student,,`);
    // The last line repeats the first username: the confirm step checks again and refuses the lot.
    const big = Buffer.from(`username,name,role,school,password\n${lines.join('\n')}\n`);
    expect(big.length).toBeGreaterThan(1_500_000);
    const checked = await upload(dana, big);
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain('All 18000 users are correct.');
    const csv = /name="csv" value="([^"]+)"/.exec(checked.body)![1]!;
    const doubled = Buffer.from(Buffer.from(csv, 'base64url').toString('utf8') + 'user00000,Again,student,,\n').toString('base64url');
    const refused = await dana.post('/console/users/import/confirm', { csv: doubled });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('username &quot;user00000&quot; is also on line 2');
    expect(await store.users.get('user00001')).toBeUndefined();

    const tooBig = await upload(dana, Buffer.concat([big, big]));
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.body).toContain('the file is larger than 2 MB');
  });
});
