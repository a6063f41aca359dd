// /console/focus: a teacher starts focus for a group from the page (a phone form), sees it
// running with its end time in the school's zone, and stops it; both audited. A school admin of
// another school neither sees it nor can stop it (404), and the page names only their groups.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { ConsoleBrowser, startConsoleApp } from '../helpers/console.js';
import type { TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let redis: Redis;
let store: Store;

beforeAll(async () => {
  ({ server, app, redis, store } = await startConsoleApp());
});
afterAll(async () => {
  await app?.close();
  await server.close();
});
beforeEach(async () => {
  await redis.flushall();
  await store.roles.add('student', 'test');
  await store.schools.add({ id: 'sch-1', name: 'School One', timezone: 'Asia/Almaty' }, 'test');
  await store.schools.add({ id: 'sch-2', name: 'School Two' }, 'test');
  await store.nas.add('10.1.0.5', { secret: 'nas-secret-1', vendor: 'mikrotik', school: 'sch-1', name: 'Room 12' }, 'test');
  await store.users.add({ username: 'amir', password: 'amir-password', role: 'student', school: 'sch-1' }, 'test');
  await store.groups.add('sch-1', '7b', ['amir'], 'test');
  await store.groups.add('sch-2', 'robotics', [], 'test');
  await store.accounts.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-1', name: 'Timur' }, 'test');
  await store.accounts.add({ username: 'dana2', password: 'dana-password-2', role: 'school-admin', school: 'sch-2', name: 'Dana' }, 'test');
});

async function as(username: string, password: string): Promise<ConsoleBrowser> {
  const browser = new ConsoleBrowser(app);
  await browser.signIn(username, password);
  return browser;
}

describe('/console/focus', () => {
  it('lets a teacher start focus for a class, shows it until its end in the school\'s time, and stop it', async () => {
    const browser = await as('timur', 'timur-password');
    const empty = await browser.get('/console/focus?lang=en');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('No lesson focus is running.');
    expect(empty.body).toContain('<option value="7b">7b</option>');
    expect(empty.body).toContain('Room 12');
    expect(empty.body).not.toContain('robotics');

    const started = await browser.post('/console/focus', { name: 'Algebra test', group: '7b', minutes: '45', allow: 'exam.example, lms.example' });
    expect(started.statusCode, started.body).toBe(303);
    const [focus] = await store.focus.list();
    expect(focus).toMatchObject({ school: 'sch-1', name: 'Algebra test', users: ['amir'], group: '7b', allow: ['exam.example', 'lms.example'], startedBy: 'account:timur' });
    const until = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(focus!.until);
    const listed = await browser.get('/console/focus?done=focusStarted&lang=en');
    expect(listed.body).toContain('Focus started.');
    expect(listed.body).toContain('Algebra test');
    expect(listed.body).toContain(until);

    const other = await as('dana2', 'dana-password-2');
    expect((await other.get('/console/focus?lang=en')).body).not.toContain('Algebra test');
    expect((await other.post('/console/focus/stop', { id: focus!.id })).statusCode).toBe(404);

    expect((await browser.post('/console/focus/stop', { id: focus!.id })).statusCode).toBe(303);
    expect(await store.focus.list()).toEqual([]);
    const actions = (await store.audit.recent(20)).filter((entry) => entry.target === focus!.id).map((entry) => `${entry.action} ${entry.actor}`);
    expect(actions).toEqual(['focus.stop account:timur', 'focus.start account:timur']);
  });

  it('shows what was wrong beside the form: no target, or a site that is not a domain', async () => {
    const browser = await as('timur', 'timur-password');
    await browser.get('/console/focus');
    const none = await browser.post('/console/focus', { minutes: '45', allow: 'exam.example' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('name exactly one of');
    const bad = await browser.post('/console/focus', { group: '7b', minutes: '45', allow: 'not a site!' });
    expect(bad.statusCode).toBe(400);
    expect(await store.focus.list()).toEqual([]);
  });
});
