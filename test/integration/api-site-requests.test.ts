// /api/v1/site-requests and PUT /api/v1/content/categories/{name} against the real app and Redis:
// a teacher lists (paged, by state), reads, allows for the lesson or the day (the grant the
// resolver honours), denies with a reason; a second decision is 409, a bad span 400; the list
// upload answers the CLI's report and the category then blocks a name; both are in the OpenAPI
// document (which stays valid).
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let services: Services;
const root: Principal = { kind: 'root', actor: 'cli:test' };
const tokens = { teacher: '', region: '' };

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  await services.schools.add(root, { id: 'sch-a', name: 'School A', timezone: 'Asia/Almaty' });
  await services.accounts.create(root, { username: 'teacher-a', role: 'teacher', school: 'sch-a', password: 'teacher-password' });
  await services.accounts.create(root, { username: 'region', role: 'region-admin', password: 'region-password' });
  tokens.teacher = (await services.tokens.create(root, { username: 'teacher-a' })).token;
  tokens.region = (await services.tokens.create(root, { username: 'region' })).token;
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

const call = (who: keyof typeof tokens, options: InjectOptions) =>
  app.inject({ ...options, url: `/api/v1${options.url as string}`, headers: { ...options.headers, authorization: `Bearer ${tokens[who]}` } });
// Newest first: each ask a millisecond apart, so the order is the one they were made in.
const ask = async (domain: string) => (await new Promise((resolve) => setTimeout(resolve, 2)), await app.managementStore.siteRequests.create({ school: 'sch-a', domain, user: 'amir', ip: '10.0.0.7', rule: 'category:games', reason: 'homework' }, 'portal:10.0.0.7')).id;

describe('/api/v1/site-requests', () => {
  it('lists, reads, allows for the lesson and the day, denies, and refuses a second decision', async () => {
    const [lesson, day, denied] = [await ask('lesson.example'), await ask('day.example'), await ask('denied.example')];
    const list = await call('teacher', { method: 'GET', url: '/site-requests?state=pending&limit=2' });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ total: 3, limit: 2, next: 2, items: [{ id: denied, domain: 'denied.example', state: 'pending', user: 'amir', rule: 'category:games', reason: 'homework' }, { id: day }] });
    expect((await call('teacher', { method: 'GET', url: `/site-requests/${lesson}` })).json()).toMatchObject({ id: lesson, school: 'sch-a', createdAt: expect.stringMatching(/Z$/) });

    const before = Date.now();
    const forLesson = await call('teacher', { method: 'POST', url: `/site-requests/${lesson}/allow`, payload: { for: 'lesson' } });
    expect(forLesson.statusCode, forLesson.body).toBe(200);
    expect(forLesson.json()).toMatchObject({ state: 'allowed', span: 'lesson', decidedBy: 'account:teacher-a' });
    const forDay = (await call('teacher', { method: 'POST', url: `/site-requests/${day}/allow`, payload: { for: 'day' } })).json<{ until: string }>();
    const dayEnd = Date.parse(forDay.until);
    // No focus covers amir: one lesson, 45 minutes.
    expect(Date.parse(forLesson.json<{ until: string }>().until) - before).toBeGreaterThanOrEqual(45 * 60_000);
    expect(Date.parse(forLesson.json<{ until: string }>().until) - Date.now()).toBeLessThanOrEqual(45 * 60_000);
    expect(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(dayEnd)).toBe('00:00');
    // Asked without a lesson focus: granted to the requester's own devices.
    expect([...(await app.managementStore.siteRequests.granted()).get('sch-a')!.get('user:amir')!.keys()].sort()).toEqual(['day.example', 'lesson.example']);

    expect((await call('teacher', { method: 'POST', url: `/site-requests/${denied}/deny`, payload: { reason: 'not in class' } })).json()).toMatchObject({ state: 'denied', denyReason: 'not in class' });
    const again = await call('teacher', { method: 'POST', url: `/site-requests/${denied}/allow`, payload: { for: 'day' } });
    expect([again.statusCode, again.json<{ error: { code: string } }>().error.code]).toEqual([409, 'MK_ERR_CONFLICT']);
    expect((await call('region', { method: 'POST', url: `/site-requests/${lesson}/deny`, payload: {} })).statusCode).toBe(409);
    expect((await call('teacher', { method: 'POST', url: `/site-requests/${denied}/allow`, payload: { for: 'week' } })).statusCode).toBe(400);
    expect((await call('teacher', { method: 'GET', url: '/site-requests/sr-0000000000' })).statusCode).toBe(404);
    expect((await call('region', { method: 'GET', url: '/site-requests?state=allowed' })).json()).toMatchObject({ total: 2 });
    expect((await call('teacher', { method: 'GET', url: '/site-requests?state=pending' })).json()).toMatchObject({ total: 0 });
  });
});

describe('PUT /api/v1/content/categories/{name}', () => {
  it('imports a text/plain list with the CLI report, then the category blocks a name from it', async () => {
    const list = '# a hosts file\n0.0.0.0 casino.example www.casino.example\n127.0.0.1 localhost\nbets.example\nbets.example\nhttp://x.example/path\n';
    const reply = await call('region', { method: 'PUT', url: '/content/categories/gambling?replace=true', headers: { 'content-type': 'text/plain' }, payload: list });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({ category: 'gambling', lines: 6, kept: 3, duplicates: 1, refused: 2, domains: 3, examples: [{ line: 3, reason: 'a local name, not one to block' }, { line: 6, reason: 'a URL, not a domain name' }] });
    await services.content.setProfile(root, 'safe', undefined, { blockCategories: ['gambling'] });
    expect((await services.content.check(root, 'live.casino.example', { role: 'student' })).decision).toMatchObject({ action: 'block', category: 'gambling' });
    expect((await call('teacher', { method: 'PUT', url: '/content/categories/gambling', headers: { 'content-type': 'text/plain' }, payload: 'x.example\n' })).statusCode).toBe(403);
  });

  it('is in the OpenAPI document with the site-request routes, and the document stays valid', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: Record<string, Record<string, { requestBody?: { content: object } }>> }>();
    expect((await new Validator().validate(document)).valid).toBe(true);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/site-requests', '/api/v1/site-requests/{id}', '/api/v1/site-requests/{id}/allow', '/api/v1/site-requests/{id}/deny']));
    expect(Object.keys(document.paths['/api/v1/content/categories/{name}']!.put!.requestBody!.content)).toEqual(['text/plain']);
  });
});
