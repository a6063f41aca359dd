// /api/v1/focus with real tokens against the real app and Redis: a teacher of A starts, lists
// and stops focus in A only; B's focus is invisible to them (404 like a focus that does not exist).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let services: Services;
let teacherA = '';
let adminB = '';
const root: Principal = { kind: 'root', actor: 'cli:test' };

const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  for (const [id, name] of [['sch-a', 'School A'], ['sch-b', 'School B']]) await services.schools.add(root, { id: id!, name: name! });
  await services.nas.add(root, '10.1.0.1', { vendor: 'mikrotik', school: 'sch-a' });
  await services.users.add(root, { username: 'ua', role: 'student', school: 'sch-a', password: 'pass-word-a' });
  await services.users.add(root, { username: 'ub', role: 'student', school: 'sch-b', password: 'pass-word-b' });
  await services.accounts.create(root, { username: 'teacher-a', role: 'teacher', school: 'sch-a', password: 'teacher-password' });
  await services.accounts.create(root, { username: 'admin-b', role: 'school-admin', school: 'sch-b', password: 'admin-b-password' });
  teacherA = (await services.tokens.create(root, { username: 'teacher-a' })).token;
  adminB = (await services.tokens.create(root, { username: 'admin-b' })).token;
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('/api/v1/focus', () => {
  it('lets a teacher start focus in their school, list it and stop it; the other school sees nothing of it', async () => {
    const started = await call(teacherA, 'POST', '/focus', { users: ['ua'], minutes: 45, allow: ['exam.example'], name: 'Algebra test' });
    expect(started.statusCode, started.body).toBe(201);
    const focus = started.json<{ id: string; school: string; until: string; startedBy: string }>();
    expect(focus).toMatchObject({ school: 'sch-a', startedBy: 'account:teacher-a' });
    expect(Date.parse(focus.until) - Date.now()).toBeGreaterThan(44 * 60_000);

    expect((await call(teacherA, 'GET', '/focus')).json()).toEqual([expect.objectContaining({ id: focus.id, name: 'Algebra test' })]);
    expect((await call(adminB, 'GET', '/focus')).json()).toEqual([]);
    expect((await call(adminB, 'DELETE', `/focus/${focus.id}`)).statusCode).toBe(404);

    expect((await call(teacherA, 'DELETE', `/focus/${focus.id}`)).statusCode).toBe(204);
    expect((await call(teacherA, 'DELETE', `/focus/${focus.id}`)).statusCode).toBe(404);
    expect((await call(teacherA, 'GET', '/focus')).json()).toEqual([]);
  });

  it('refuses another school, another school\'s students, an access point elsewhere and no target', async () => {
    expect((await call(teacherA, 'POST', '/focus', { school: 'sch-b', users: ['ub'], minutes: 10, allow: ['exam.example'] })).statusCode).toBe(403);
    const theirs = await call(teacherA, 'POST', '/focus', { users: ['ub'], minutes: 10, allow: ['exam.example'] });
    expect([theirs.statusCode, theirs.json<{ error: { message: string } }>().error.message]).toEqual([400, 'not a user of sch-a: ub']);
    expect((await call(adminB, 'POST', '/focus', { nas: ['10.1.0.1'], minutes: 10, allow: ['exam.example'] })).statusCode).toBe(400);
    expect((await call(teacherA, 'POST', '/focus', { minutes: 10, allow: ['exam.example'] })).statusCode).toBe(400);
    expect((await call(teacherA, 'POST', '/focus', { users: ['ua'], minutes: 10, allow: ['not a domain'] })).statusCode).toBe(400);
  });
});
