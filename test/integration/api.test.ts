// The REST API's own behaviour, against the real app and Redis: who gets in (401 in JSON for a
// missing, wrong, expired or revoked token and for a disabled account), what input is refused
// (400, never a 500), what each kind of route answers (units, paging, URL-encoded addresses,
// CSV imports, live policy reports), the rate limit, and the OpenAPI document, checked by a
// validator that is not ours.
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_RATE_PER_MINUTE } from '../../src/plugins/api.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Principal } from '../../src/services/principal.js';
import { buildTestApp } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let app: FastifyInstance;
let services: Services;
let token: string;
const root: Principal = { kind: 'root', actor: 'cli:test' };

const call = (options: InjectOptions & { url: string }, bearer = token) =>
  app.inject({ ...options, url: `/api/v1${options.url}`, headers: { ...options.headers, authorization: `Bearer ${bearer}` } });
const errorOf = (reply: { json: () => unknown }) => (reply.json() as { error: { code: string; message: string } }).error;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  await services.schools.add(root, { id: 'sch-a', name: 'School A' });
  await services.accounts.create(root, { username: 'region', role: 'region-admin', password: 'region-password' });
  token = (await services.tokens.create(root, { username: 'region' })).token;
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('authentication', () => {
  const refused = async (headers: Record<string, string>) => {
    const reply = await app.inject({ method: 'GET', url: '/api/v1/schools', headers });
    expect(reply.statusCode).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer realm="mektep"');
    expect(errorOf(reply).code).toBe('MK_ERR_UNAUTHORIZED');
    expect(reply.body).not.toMatch(/at .*\.ts|stack/);
  };

  it('refuses a request without a token, with another scheme, or with a malformed one', async () => {
    await refused({});
    await refused({ authorization: `Basic ${Buffer.from('region:region-password').toString('base64')}` });
    await refused({ authorization: 'Bearer not-a-token' });
  });

  it('refuses a token whose secret is wrong, though its id exists', async () => {
    const [, id] = token.split('_');
    await refused({ authorization: `Bearer mk_${id}_${'A'.repeat(43)}` });
  });

  it('refuses an expired token, and Redis forgets it by itself', async () => {
    const { id, token: expiring } = await services.tokens.create(root, { username: 'region', expiresAt: Date.now() + 300 });
    expect((await call({ method: 'GET', url: '/schools' }, expiring)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await refused({ authorization: `Bearer ${expiring}` });
    expect(await server.client().exists(`mk:api-token:${id}`)).toBe(0);
    // Listing the owner's tokens drops it from both indexes: nothing is left of it.
    expect((await call({ method: 'GET', url: '/tokens?user=region&limit=500' })).json<{ items: { id: string }[] }>().items.map((listed) => listed.id)).not.toContain(id);
    expect(await server.client().sismember('mk:api-tokens', id)).toBe(0);
    expect(await server.client().sismember('mk:api-tokens-of:region', id)).toBe(0);
  });

  it('refuses a revoked token from the next request on', async () => {
    const { id, token: revoked } = await services.tokens.create(root, { username: 'region' });
    expect((await call({ method: 'DELETE', url: `/tokens/${id}` })).statusCode).toBe(204);
    await refused({ authorization: `Bearer ${revoked}` });
  });

  it("refuses a disabled account's token, and takes it back when the account is enabled", async () => {
    await services.accounts.create(root, { username: 'aliya', role: 'school-admin', school: 'sch-a', password: 'aliya-password' });
    const { token: own } = await services.tokens.create(root, { username: 'aliya' });
    await services.accounts.setStatus(root, 'aliya', 'disabled');
    await refused({ authorization: `Bearer ${own}` });
    await services.accounts.setStatus(root, 'aliya', 'active');
    expect((await call({ method: 'GET', url: '/schools' }, own)).statusCode).toBe(200);
  });

  it('notes a token\'s use at most once a minute, not on every request', async () => {
    const { id, token: used } = await services.tokens.create(root, { username: 'region' });
    const key = `mk:api-token:${id}`;
    await call({ method: 'GET', url: '/schools' }, used);
    const first = await server.client().hget(key, 'lastUsedMs');
    expect(Number(first)).toBeGreaterThan(Date.now() - 5000);
    for (let i = 0; i < 5; i++) await call({ method: 'GET', url: '/schools' }, used);
    expect(await server.client().hget(key, 'lastUsedMs')).toBe(first);
    // A minute later (the stored time moved back), the next use is noted again.
    await server.client().hset(key, 'lastUsedMs', String(Number(first) - 61_000));
    await call({ method: 'GET', url: '/schools' }, used);
    expect(Number(await server.client().hget(key, 'lastUsedMs'))).toBeGreaterThanOrEqual(Number(first));
  });

  it('sends no cookie and needs no CSRF token for a change', async () => {
    const reply = await call({ method: 'POST', url: '/schools', payload: { id: 'sch-c', name: 'School C' } });
    expect(reply.statusCode).toBe(201);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });
});

describe('input the schemas refuse: 400 in JSON, never a 500', () => {
  it.each([
    ['a repeated query parameter', { method: 'GET', url: '/users?school=sch-a&school=sch-b' }],
    ['a repeated paging parameter', { method: 'GET', url: '/schools?limit=2&limit=3' }],
    ['a page larger than 500', { method: 'GET', url: '/users?limit=501' }],
    ['a number that is text', { method: 'GET', url: '/schools?offset=ten' }],
    ['a boolean that is not one', { method: 'PATCH', url: '/policies/student?apply=maybe', payload: { downRate: '5M' } }],
    ['an unknown body field', { method: 'POST', url: '/users', payload: { username: 'x1', role: 'student', admin: true } }],
    ['a body field of the wrong type', { method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '1h', count: '5' } }],
    ['a missing body field', { method: 'POST', url: '/schools', payload: { id: 'no-name' } }],
    ['a body that is not JSON', { method: 'POST', url: '/schools', headers: { 'content-type': 'application/json' }, payload: '{"id":' }],
    ['a rate without its unit', { method: 'PATCH', url: '/policies/student', payload: { downRate: '5' } }],
    ['a policy field that does not exist', { method: 'PATCH', url: '/policies/student', payload: { speed: '5M' } }],
    ['an empty change', { method: 'PATCH', url: '/schools/sch-a', payload: {} }],
    ['a CSV in an unknown encoding', { method: 'POST', url: '/users/import?dryRun=true', headers: { 'content-type': 'text/csv; charset=koi8-r' }, payload: 'username,role\nx,student\n' }],
  ] as [string, InjectOptions & { url: string }][])('%s', async (_what, options) => {
    const reply = await call(options);
    expect(reply.statusCode, reply.body).toBe(400);
    expect(Object.keys(errorOf(reply)).sort()).toEqual(['code', 'message']);
  });

  it('names the allowed values of a choice once, in one message', async () => {
    const reply = await call({ method: 'POST', url: '/nas', payload: { address: '10.0.0.1', vendor: 'nokia' } });
    expect(reply.statusCode).toBe(400);
    expect(errorOf(reply).message).toBe('body/vendor must be one of mikrotik, chilli, opennds, cisco, aruba, meraki, unifi, fortinet, generic');
  });

  it('answers an unknown route with a 404 in JSON', async () => {
    const reply = await call({ method: 'GET', url: '/nothing-here' });
    expect(reply.statusCode).toBe(404);
    expect(errorOf(reply)).toEqual({ code: 'MK_ERR_NOT_FOUND', message: 'no API route GET /api/v1/nothing-here' });
  });
});

describe('what the routes answer', () => {
  it('pages a collection: at most the limit, with the offset of the next page', async () => {
    for (let i = 0; i < 5; i++) await services.users.add(root, { username: `pager${i}`, role: 'student', school: 'sch-a', password: 'pass-word-1' });
    const first = await call({ method: 'GET', url: '/users?search=pager&limit=2' });
    expect(first.json()).toMatchObject({ total: 5, offset: 0, limit: 2, next: 2, items: [{ username: 'pager0' }, { username: 'pager1' }] });
    const last = await call({ method: 'GET', url: '/users?search=pager&limit=2&offset=4' });
    expect(last.json()).toEqual(expect.objectContaining({ total: 5, offset: 4, items: [expect.objectContaining({ username: 'pager4' })] }));
    expect(last.json()).not.toHaveProperty('next');
  });

  it("changes a school's portal colour, uplink (as the CLI writes rates) and logo, and clears them with null", async () => {
    const logo = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64')}`;
    const set = await call({ method: 'PATCH', url: '/schools/sch-a', payload: { colour: '#0B4F8A', uplink: '1Gbit/s', logo } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ id: 'sch-a', colour: '#0b4f8a', uplink: 1_000_000_000, logo });
    expect((await call({ method: 'PATCH', url: '/schools/sch-a', payload: { colour: '#fafafa' } })).statusCode).toBe(400);
    expect((await call({ method: 'PATCH', url: '/schools/sch-a', payload: { logo: 'http://example.com/logo.png' } })).statusCode).toBe(400);
    const cleared = await call({ method: 'PATCH', url: '/schools/sch-a', payload: { colour: null, uplink: null, logo: null } });
    expect(Object.keys(cleared.json()).sort()).toEqual(['createdAt', 'id', 'mschapv2', 'name', 'timezone']);
  });

  it("sets a school's Wi-Fi name for voucher sheets and a teacher's voucher maximum, and clears them with null", async () => {
    const set = await call({ method: 'PATCH', url: '/schools/sch-a', payload: { ssid: 'School-Guest', voucherMax: '4h' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ ssid: 'School-Guest', voucherMax: 14_400 });
    expect((await call({ method: 'PATCH', url: '/schools/sch-a', payload: { voucherMax: 30 } })).statusCode).toBe(400);
    expect((await call({ method: 'PATCH', url: '/schools/sch-a', payload: { ssid: 'x'.repeat(33) } })).statusCode).toBe(400);
    const cleared = await call({ method: 'PATCH', url: '/schools/sch-a', payload: { ssid: null, voucherMax: null } });
    expect(cleared.json()).not.toHaveProperty('ssid');
    expect(cleared.json()).not.toHaveProperty('voucherMax');
  });

  it('takes a NAS address URL-encoded, shows its generated secret once and never again', async () => {
    const added = await call({ method: 'POST', url: '/nas', payload: { address: '10.40.0.0/24', vendor: 'mikrotik', school: 'sch-a' } });
    expect(added.statusCode).toBe(201);
    const { secret } = added.json<{ secret: string }>();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const shown = await call({ method: 'GET', url: '/nas/10.40.0.0%2F24' });
    expect(shown.json()).toMatchObject({ address: '10.40.0.0/24', vendor: 'mikrotik', school: 'sch-a' });
    expect(shown.body).not.toContain(secret);
    expect((await call({ method: 'DELETE', url: '/nas/10.40.0.0%2F24' })).statusCode).toBe(204);
    expect((await call({ method: 'GET', url: '/nas/10.40.0.0%2F24' })).statusCode).toBe(404);
  });

  it('changes a policy with the units the CLI takes or base units, clears with null, and says what reached live sessions', async () => {
    const set = await call({ method: 'PATCH', url: '/policies/student', payload: { downRate: '5Mbit/s', upRate: 1_000_000, dailyQuota: '2GB', sessionTimeout: '8h', schedule: 'mon-fri 08:00-17:00' } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({
      role: 'student',
      effective: { downRate: 5_000_000, upRate: 1_000_000, dailyQuota: 2_000_000_000, sessionTimeout: 28_800, schedule: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '17:00' }] },
      sessions: [], updated: 0, disconnected: 0, unconfirmed: 0,
    });
    const override = await call({ method: 'PATCH', url: '/policies/student?school=sch-a', payload: { downRate: '10M' } });
    expect(override.json()).toMatchObject({ school: 'sch-a', effective: { downRate: 10_000_000, upRate: 1_000_000 }, overridden: ['downRate'] });
    const cleared = await call({ method: 'PATCH', url: '/policies/student', payload: { dailyQuota: null } });
    expect(cleared.json<{ effective: object }>().effective).not.toHaveProperty('dailyQuota');
    const remembered = await call({ method: 'PATCH', url: '/policies/student', payload: { rememberByDefault: 'yes', rememberFor: '7d' } });
    expect(remembered.json()).toMatchObject({ effective: { rememberByDefault: true, rememberFor: 604_800 } });
    const read = await call({ method: 'GET', url: '/policies/student?school=sch-a' });
    expect(read.json()).toMatchObject({ effective: { downRate: 10_000_000 }, overridden: ['downRate'] });
  });

  it('imports a CSV saved by Excel in Windows-1251 with semicolons, and refuses a file with bad lines as a whole (422)', async () => {
    const csv = Buffer.from([...Buffer.from('username;name;role;school\r\nerlan;'), 0xc5, 0xf0, 0xeb, 0xe0, 0xed, ...Buffer.from(';student;sch-a\r\n')]);
    const dry = await call({ method: 'POST', url: '/users/import?dryRun=true', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, created: 1, errors: [] });
    expect((await call({ method: 'GET', url: '/users/erlan' })).statusCode).toBe(404);
    const done = await call({ method: 'POST', url: '/users/import', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(done.statusCode).toBe(201);
    expect((await call({ method: 'GET', url: '/users/erlan' })).json()).toMatchObject({ name: 'Ерлан', school: 'sch-a' });
    const bad = await call({ method: 'POST', url: '/users/import', headers: { 'content-type': 'text/csv' }, payload: 'username,role,school\ngood1,student,sch-a\nБолат,student,sch-a\nbad2,nosuchrole,sch-a\n' });
    expect(bad.statusCode).toBe(422);
    expect(errorOf(bad)).toMatchObject({ code: 'MK_ERR_UNPROCESSABLE', lines: [{ line: 3 }, { line: 4, username: 'bad2' }] });
    expect((await call({ method: 'GET', url: '/users/good1' })).statusCode).toBe(404);
  });

  it('issues vouchers for a duration the CLI way, and lists the audit entries they left', async () => {
    const issued = await call({ method: 'POST', url: '/vouchers', payload: { role: 'guest', duration: '2h', count: 3, school: 'sch-a' } });
    expect(issued.statusCode).toBe(201);
    expect(issued.json<{ codes: string[] }>().codes).toHaveLength(3);
    expect(issued.json<{ duration: number }>().duration).toBe(7200);
    const audit = await call({ method: 'GET', url: '/audit?action=voucher.create&since=1h&limit=2' });
    expect(audit.json()).toMatchObject({ limit: 2, next: 2, items: [{ action: 'voucher.create', actor: 'account:region', school: 'sch-a', source: '127.0.0.1' }, { action: 'voucher.create' }] });
  });

  it('ends a live session by the id the session list shows', async () => {
    await app.managementStore.sessions.record({ nas: '10.99.0.1', sessionId: 'live-1', status: 'start', user: 'pager0', role: 'student', school: 'sch-a', inOctets: 0, outOctets: 0 });
    const listed = await call({ method: 'GET', url: '/sessions?user=pager0' });
    expect(listed.json()).toMatchObject({ total: 1, items: [{ sessionId: 'live-1', nas: '10.99.0.1' }] });
    const kicked = await call({ method: 'DELETE', url: '/sessions/live-1' });
    expect(kicked.json()).toMatchObject({ session: '10.99.0.1|live-1', action: 'disconnect' });
    expect((await call({ method: 'DELETE', url: '/sessions/no-such' })).statusCode).toBe(404);
  });
});

describe('the rate limit', () => {
  it(`answers 429 in JSON past ${API_RATE_PER_MINUTE} requests a minute from one token, held in Redis`, async () => {
    const { token: busy } = await services.tokens.create(root, { username: 'region', name: 'busy script' });
    const statuses: number[] = [];
    for (let i = 0; i <= API_RATE_PER_MINUTE; i++) statuses.push((await call({ method: 'GET', url: '/schools?limit=1' }, busy)).statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(API_RATE_PER_MINUTE);
    const reply = await call({ method: 'GET', url: '/schools' }, busy);
    expect(reply.statusCode).toBe(429);
    expect(errorOf(reply).code).toBe('MK_ERR_RATE_LIMITED');
    expect(reply.headers).toMatchObject({ 'x-ratelimit-limit': String(API_RATE_PER_MINUTE), 'x-ratelimit-remaining': '0', 'retry-after': expect.any(String) });
    expect((await server.client().keys('mk:api-rate:*')).length).toBeGreaterThan(0);
    // Counted before the token is checked: guessing secrets for that id is limited as well.
    const guess = await app.inject({ method: 'GET', url: '/api/v1/schools', headers: { authorization: `Bearer ${busy.slice(0, 20)}${'A'.repeat(43)}` } });
    expect(guess.statusCode).toBe(429);
    // Another token is counted apart.
    expect((await call({ method: 'GET', url: '/schools' })).statusCode).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('is served without a token and is valid OpenAPI, with bearer security, tags and the error schema', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(reply.statusCode).toBe(200);
    const document = reply.json<{ paths: Record<string, Record<string, { tags?: string[] }>>; components: { schemas: Record<string, unknown>; securitySchemes: object }; security: object[] }>();
    const result = await new Validator().validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.components.securitySchemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.components.schemas.Error).toBeDefined();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/schools', '/api/v1/nas/{address}', '/api/v1/users/import', '/api/v1/policies/{role}', '/api/v1/sessions/{id}', '/api/v1/content/networks/{network}']));
    expect(document.paths['/api/v1/openapi.json']).toBeUndefined();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) expect(operation.tags, `${method} ${path}`).toHaveLength(1);
    }
  });
});
