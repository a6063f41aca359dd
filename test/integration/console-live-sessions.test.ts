// The live sessions page: sessions made by real RADIUS accounting, filtered and paged within the
// person's scope; an admin's kick reaches the access point (FreeRADIUS's CoA listener, which
// ACKs it) after a confirmation step; a teacher sees their school's students, read-only.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { ConsoleBrowser } from '../helpers/console.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { startCoaPeer, type FreeRadius } from '../helpers/freeradius.js';
import { waitFor } from '../helpers/process.js';
import { signInAndStart } from '../helpers/radclient.js';

const SECRET = 'sessions-secret-42';
const dir = mkdtempSync(join(tmpdir(), 'mk-sessions-'));
const coaLog = join(dir, 'coa.log');
let fixture: AppFixture;
let app: FastifyInstance;
let store: Store;
let peer: FreeRadius;

const online = (user: string, password: string, session: string, mac: string) => signInAndStart(fixture, SECRET, { user, password, session, mac });

async function signedIn(username: string, password: string, ip = '10.9.4.1'): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app, ip);
  expect((await browser.signIn(username, password)).statusCode).toBe(303);
  return browser;
}

const rows = (body: string) => [...body.matchAll(/<td data-label="User">([^<]*)<\/td>/g)].map((match) => match[1]);

beforeAll(async () => {
  fixture = await startAppFixture();
  ({ app, store } = fixture);
  const { peer: coaPeer, coaPort } = await startCoaPeer(dir, SECRET, coaLog);
  peer = coaPeer;
  await store.schools.add({ id: 'sch-1', name: 'School One' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-1', coaPort, rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'ali', password: 'ali-password', role: 'student', school: 'sch-1' }, 'test');
  await store.users.add({ username: 'aigul', password: 'aigul-password', role: 'teacher', school: 'sch-1' }, 'test');
  await store.users.add({ username: 'berik', password: 'berik-password', role: 'student', school: 'sch-2' }, 'test');
  await store.accounts.add({ username: 'rita', password: 'rita-password-1', role: 'region-admin', name: 'Rita' }, 'test');
  await store.accounts.add({ username: 'dana', password: 'dana-password-1', role: 'school-admin', school: 'sch-1', name: 'Dana' }, 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  await online('ali', 'ali-password', 's-ali', 'AA-BB-CC-00-01-01');
  await online('aigul', 'aigul-password', 's-aigul', 'AA-BB-CC-00-01-02');
  await online('berik', 'berik-password', 's-berik', 'AA-BB-CC-00-02-01');
});
afterAll(async () => {
  await fixture?.close();
  await peer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the live sessions page', () => {
  it("lists a school admin's school only, filtered by role, user, MAC and access point", async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    const page = await dana.get('/console/sessions');
    expect(page.statusCode).toBe(200);
    expect(rows(page.body).sort()).toEqual(['aigul', 'ali']);
    expect(page.body).not.toContain('berik');
    expect(rows((await dana.get('/console/sessions?role=student')).body)).toEqual(['ali']);
    expect(rows((await dana.get('/console/sessions?user=AIGUL')).body)).toEqual(['aigul']);
    expect(rows((await dana.get('/console/sessions?mac=aa-bb-cc-00-01-01')).body)).toEqual(['ali']);
    expect(rows((await dana.get('/console/sessions?ap=127.0.0.1')).body).sort()).toEqual(['aigul', 'ali']);
    expect(rows((await dana.get('/console/sessions?ap=10.1.1.1')).body)).toEqual([]);
    const other = await dana.get('/console/sessions?school=sch-2');
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('berik');
  });

  it('lets a region admin see every school, or one', async () => {
    const rita = await signedIn('rita', 'rita-password-1');
    expect(rows((await rita.get('/console/sessions')).body).sort()).toEqual(['aigul', 'ali', 'berik']);
    expect(rows((await rita.get('/console/sessions?school=sch-2')).body)).toEqual(['berik']);
  });

  it("shows a teacher their school's students only, with no way to end a session", async () => {
    const timur = await signedIn('timur', 'timur-password');
    const page = await timur.get('/console/sessions');
    expect(page.statusCode).toBe(200);
    expect(rows(page.body)).toEqual(['ali']);
    expect(page.body).not.toContain('/console/sessions/kick');
    expect((await timur.get('/console/sessions?role=teacher')).statusCode).toBe(403);
    expect((await timur.get(`/console/sessions/kick?id=${encodeURIComponent('127.0.0.1|s-ali')}`)).statusCode).toBe(403);
    expect((await timur.post('/console/sessions/kick', { id: '127.0.0.1|s-ali' })).statusCode).toBe(403);
    expect(await store.sessions.get('127.0.0.1', 's-ali')).toBeDefined();
  });

  it("answers a school admin kicking another school's session with 404, and nothing is sent", async () => {
    const dana = await signedIn('dana', 'dana-password-1');
    await dana.get('/console/sessions');
    expect((await dana.get(`/console/sessions/kick?id=${encodeURIComponent('127.0.0.1|s-berik')}`)).statusCode).toBe(404);
    expect((await dana.post('/console/sessions/kick', { id: '127.0.0.1|s-berik' })).statusCode).toBe(404);
    expect(existsSync(coaLog) ? readFileSync(coaLog, 'utf8') : '').not.toContain('s-berik');
  });

  it('ends a session after the confirmation step: the AP acknowledges the Disconnect, the page says so, the audit log has it', async () => {
    const dana = await signedIn('dana', 'dana-password-1', '10.9.4.7');
    const list = await dana.get('/console/sessions');
    const link = /href="(\/console\/sessions\/kick\?id=[^"]*s-ali)"/.exec(list.body)![1]!.replace(/&amp;/g, '&');
    const confirm = await dana.get(link);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Disconnect this session?');
    expect(confirm.body).toContain('aa:bb:cc:00:01:01');
    const done = await dana.post('/console/sessions/kick', { id: '127.0.0.1|s-ali' });
    expect(done.statusCode).toBe(303);
    expect((await dana.get(done.headers.location as string)).body).toContain('The access point confirmed: the session of ali has ended.');
    const line = await waitFor(async () => readFileSync(coaLog, 'utf8').split('\n').find((row) => row.startsWith('Disconnect-Request') && row.includes('sess=s-ali')), 5000, 'the Disconnect at the AP');
    expect(line).toContain('user=ali');
    const [kick] = await store.audit.list({ action: 'session.kick', count: 1 });
    expect(kick).toMatchObject({ actor: 'account:dana', target: '127.0.0.1|s-ali', school: 'sch-1', source: '10.9.4.7' });
  });

  it('pages a long list, 50 at a time, and refuses a page past the bound with 400', async () => {
    const now = Date.now();
    for (let i = 0; i < 55; i++) {
      await store.sessions.record({ nas: '127.0.0.1', sessionId: `bulk-${i}`, status: 'start', user: `pupil${String(i).padStart(2, '0')}`, role: 'student', school: 'sch-1', inOctets: 0, outOctets: 0 }, now - i * 1000);
    }
    const dana = await signedIn('dana', 'dana-password-1');
    const first = await dana.get('/console/sessions?role=student');
    expect(rows(first.body)).toHaveLength(50);
    expect(first.body).toContain('href="/console/sessions?role=student&amp;page=2"');
    const students = (await store.sessions.list({ school: 'sch-1' })).filter((session) => session.role === 'student').length;
    expect(students).toBeGreaterThanOrEqual(55);
    expect(rows((await dana.get('/console/sessions?role=student&page=2')).body)).toHaveLength(students - 50);
    expect((await dana.get('/console/sessions?page=101')).statusCode).toBe(400);
  });
});
