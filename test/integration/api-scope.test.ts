// The permission matrix at the HTTP level: a region admin, a school admin of A and a teacher of A,
// each with a real API token, × every route × a target in school A and in school B, against the
// real app and Redis. Each cell is the status the route answers (2xx, 403, 404 — 422 where an
// import line names another school), and no body a confined account gets holds school B's data.
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
const tokens: Record<Who, string> = { region: '', adminA: '', teacherA: '' };

type Who = 'region' | 'adminA' | 'teacherA';
type Side = 'own' | 'other';
const WHO: Who[] = ['region', 'adminA', 'teacherA'];
const school = (side: Side) => (side === 'own' ? 'sch-a' : 'sch-b');

let serial = 0;
const next = () => ++serial;
const freshUser = async (side: Side) => (await services.users.add(root, { username: `u${next()}`, role: 'student', school: school(side), password: 'pass-word-1' })).username;
const freshNas = async (side: Side) => (await services.nas.add(root, `10.9.${next()}.0/24`, { vendor: 'mikrotik', school: school(side) })).nas.address;
const freshTeacher = async (side: Side) => (await services.accounts.create(root, { username: `t${next()}`, role: 'teacher', school: school(side), password: 'teacher-password' })).username;
const freshDevice = async (side: Side) => (await services.devices.add(root, { mac: `02:00:00:00:${String(next()).padStart(4, '0').replace(/(..)(..)/, '$1:$2')}`, role: 'student', school: school(side) })).mac;
const freshToken = async (side: Side) => (await services.tokens.create(root, { username: await freshTeacher(side) })).id;
const freshSiteRequest = async (side: Side) => (await app.managementStore.siteRequests.create({ school: school(side), domain: `site${next()}.example`, user: 'pupil', ip: '10.0.0.9', rule: 'category:games' }, 'test')).id;
const freshNetwork = async (side: Side) => (await services.content.addNetwork(root, `10.6.${next()}.0/24`, school(side), 'safe')).network;
// On an access point Mektep does not know: the Disconnect is reported at once as unknown-nas.
const freshSession = async (side: Side) => {
  const id = `acct-${next()}`;
  await app.managementStore.sessions.record({ nas: side === 'own' ? '10.91.0.1' : '10.92.0.1', sessionId: id, status: 'start', user: side === 'own' ? 'ua' : 'ub', role: 'student', school: school(side), inOctets: 0, outOctets: 0 });
  return id;
};
const enc = encodeURIComponent;

type Request = (side: Side) => Promise<InjectOptions> | InjectOptions;
// [route, request, expected own [region, adminA, teacherA], expected other [...]]
const matrix: [string, Request, number[], number[]][] = [
  ['GET /schools', () => ({ method: 'GET', url: '/schools' }), [200, 200, 200], [200, 200, 200]],
  ['GET /schools/{id}', (side) => ({ method: 'GET', url: `/schools/${school(side)}` }), [200, 200, 200], [200, 404, 404]],
  ['POST /schools', () => ({ method: 'POST', url: '/schools', payload: { id: `new-${next()}`, name: 'New school' } }), [201, 403, 403], [201, 403, 403]],
  ['PATCH /schools/{id}', (side) => ({ method: 'PATCH', url: `/schools/${school(side)}`, payload: { name: `School ${side === 'own' ? 'A' : 'B'}` } }), [200, 403, 403], [200, 403, 403]],
  ['GET /nas', () => ({ method: 'GET', url: '/nas' }), [200, 200, 403], [200, 200, 403]],
  ['GET /nas/{address}', (side) => ({ method: 'GET', url: `/nas/${side === 'own' ? '10.1.0.1' : '10.2.0.1'}` }), [200, 200, 403], [200, 404, 403]],
  ['POST /nas', (side) => ({ method: 'POST', url: '/nas', payload: { address: `10.8.${next()}.1`, vendor: 'chilli', school: school(side) } }), [201, 201, 403], [201, 403, 403]],
  ['PATCH /nas/{address}', async (side) => ({ method: 'PATCH', url: `/nas/${enc(await freshNas(side))}`, payload: { name: 'Hall' } }), [200, 200, 403], [200, 404, 403]],
  ['DELETE /nas/{address}', async (side) => ({ method: 'DELETE', url: `/nas/${enc(await freshNas(side))}` }), [204, 204, 403], [204, 404, 403]],
  ['GET /users', (side) => ({ method: 'GET', url: `/users?school=${school(side)}` }), [200, 200, 403], [200, 403, 403]],
  ['GET /users/{username}', (side) => ({ method: 'GET', url: `/users/${side === 'own' ? 'ua' : 'ub'}` }), [200, 200, 403], [200, 404, 403]],
  ['POST /users', (side) => ({ method: 'POST', url: '/users', payload: { username: `n${next()}`, role: 'student', school: school(side) } }), [201, 201, 403], [201, 403, 403]],
  ['PATCH /users/{username}', async (side) => ({ method: 'PATCH', url: `/users/${await freshUser(side)}`, payload: { status: 'disabled', expiresAt: '2030-01-01' } }), [200, 200, 403], [200, 404, 403]],
  ['POST /users/import', (side) => ({ method: 'POST', url: '/users/import', headers: { 'content-type': 'text/csv' }, payload: `username,role,school\nimp${next()},student,${school(side)}\n` }), [201, 201, 403], [201, 422, 403]],
  ['GET /policies', () => ({ method: 'GET', url: '/policies' }), [200, 200, 403], [200, 200, 403]],
  ['GET /policies/{role}?school', (side) => ({ method: 'GET', url: `/policies/student?school=${school(side)}` }), [200, 200, 403], [200, 403, 403]],
  ['PATCH /policies/{role}', () => ({ method: 'PATCH', url: '/policies/student', payload: { downRate: '5Mbit/s' } }), [200, 403, 403], [200, 403, 403]],
  ['PATCH /policies/{role}?school', (side) => ({ method: 'PATCH', url: `/policies/student?school=${school(side)}`, payload: { upRate: 1_000_000 } }), [200, 200, 403], [200, 403, 403]],
  ['GET /sessions', (side) => ({ method: 'GET', url: `/sessions?school=${school(side)}` }), [200, 200, 200], [200, 403, 403]],
  ['DELETE /sessions/{id}', async (side) => ({ method: 'DELETE', url: `/sessions/${await freshSession(side)}` }), [200, 200, 403], [200, 404, 403]],
  ['GET /devices', (side) => ({ method: 'GET', url: `/devices?school=${school(side)}` }), [200, 200, 403], [200, 403, 403]],
  ['POST /devices', (side) => ({ method: 'POST', url: '/devices', payload: { mac: `06:00:00:00:00:${String(next() % 100).padStart(2, '0')}`, role: 'student', school: school(side) } }), [201, 201, 403], [201, 403, 403]],
  ['DELETE /devices/{mac}', async (side) => ({ method: 'DELETE', url: `/devices/${enc(await freshDevice(side))}` }), [204, 204, 403], [204, 404, 403]],
  ['GET /vouchers', () => ({ method: 'GET', url: '/vouchers' }), [200, 200, 200], [200, 200, 200]],
  ['POST /vouchers guest', (side) => ({ method: 'POST', url: '/vouchers', payload: { role: 'guest', school: school(side), duration: '1h' } }), [201, 201, 201], [201, 403, 403]],
  ['POST /vouchers student', (side) => ({ method: 'POST', url: '/vouchers', payload: { role: 'student', school: school(side), duration: 3600 } }), [201, 201, 403], [201, 403, 403]],
  ['GET /audit', (side) => ({ method: 'GET', url: `/audit?school=${school(side)}` }), [200, 200, 403], [200, 403, 403]],
  ['GET /accounts', () => ({ method: 'GET', url: '/accounts' }), [200, 200, 403], [200, 200, 403]],
  ['POST /accounts', (side) => ({ method: 'POST', url: '/accounts', payload: { username: `c${next()}`, role: 'teacher', school: school(side), password: 'teacher-password' } }), [201, 201, 403], [201, 403, 403]],
  ['PATCH /accounts/{username}', async (side) => ({ method: 'PATCH', url: `/accounts/${await freshTeacher(side)}`, payload: { status: 'disabled' } }), [200, 200, 403], [200, 404, 403]],
  ['GET /tokens', () => ({ method: 'GET', url: '/tokens' }), [200, 200, 200], [200, 200, 200]],
  ['POST /tokens', async (side) => ({ method: 'POST', url: '/tokens', payload: { username: await freshTeacher(side), name: 'script' } }), [201, 201, 403], [201, 404, 403]],
  ['DELETE /tokens/{id}', async (side) => ({ method: 'DELETE', url: `/tokens/${await freshToken(side)}` }), [204, 204, 404], [204, 404, 404]],
  ['GET /content/profiles', () => ({ method: 'GET', url: '/content/profiles' }), [200, 200, 403], [200, 200, 403]],
  ['GET /content/profiles/{name}?school', (side) => ({ method: 'GET', url: `/content/profiles/lessons?school=${school(side)}` }), [200, 200, 403], [200, 403, 403]],
  ['PATCH /content/profiles/{name}?school', (side) => ({ method: 'PATCH', url: `/content/profiles/lessons?school=${school(side)}`, payload: { youtube: 'strict' } }), [200, 200, 403], [200, 403, 403]],
  ['GET /content/categories', () => ({ method: 'GET', url: '/content/categories' }), [200, 200, 403], [200, 200, 403]],
  ['PUT /content/categories/{name}', () => ({ method: 'PUT', url: '/content/categories/scope-test', headers: { 'content-type': 'text/plain' }, payload: 'games.example\n' }), [200, 403, 403], [200, 403, 403]],
  ['GET /content/networks', () => ({ method: 'GET', url: '/content/networks' }), [200, 200, 403], [200, 200, 403]],
  ['POST /content/networks', (side) => ({ method: 'POST', url: '/content/networks', payload: { network: `10.7.${next()}.0/24`, school: school(side), profile: 'safe' } }), [201, 201, 403], [201, 403, 403]],
  ['GET /site-requests', () => ({ method: 'GET', url: '/site-requests' }), [200, 200, 200], [200, 200, 200]],
  ['GET /site-requests?school', (side) => ({ method: 'GET', url: `/site-requests?school=${school(side)}` }), [200, 200, 200], [200, 403, 403]],
  ['GET /site-requests/{id}', async (side) => ({ method: 'GET', url: `/site-requests/${await freshSiteRequest(side)}` }), [200, 200, 200], [200, 404, 404]],
  ['POST /site-requests/{id}/allow', async (side) => ({ method: 'POST', url: `/site-requests/${await freshSiteRequest(side)}/allow`, payload: { for: 'day' } }), [200, 200, 200], [200, 404, 404]],
  ['POST /site-requests/{id}/deny', async (side) => ({ method: 'POST', url: `/site-requests/${await freshSiteRequest(side)}/deny`, payload: { reason: 'not now' } }), [200, 200, 200], [200, 404, 404]],
  ['DELETE /content/networks/{network}', async (side) => ({ method: 'DELETE', url: `/content/networks/${enc(await freshNetwork(side))}` }), [204, 204, 403], [204, 404, 403]],
];

// What only school B has: its name, its user, its admin, its access point, its network.
const SCHOOL_B = /sch-b|School B|"ub"|admin-b|10\.2\.0\.1|10\.5\.0\.0/;

beforeAll(async () => {
  server = await startTestRedis();
  app = await buildTestApp(server.url);
  services = createServices({ store: app.managementStore, enforcer: app.services.enforcer, admit: app.services.admit });
  for (const [id, name] of [['sch-a', 'School A'], ['sch-b', 'School B']]) await services.schools.add(root, { id: id!, name: name! });
  await services.nas.add(root, '10.1.0.1', { vendor: 'mikrotik', school: 'sch-a' });
  await services.nas.add(root, '10.2.0.1', { vendor: 'mikrotik', school: 'sch-b' });
  await services.users.add(root, { username: 'ua', role: 'student', school: 'sch-a', password: 'pass-word-a' });
  await services.users.add(root, { username: 'ub', role: 'student', school: 'sch-b', password: 'pass-word-b' });
  await services.accounts.create(root, { username: 'region', role: 'region-admin', password: 'region-password' });
  await services.accounts.create(root, { username: 'admin-a', role: 'school-admin', school: 'sch-a', password: 'admin-a-password' });
  await services.accounts.create(root, { username: 'teacher-a', role: 'teacher', school: 'sch-a', password: 'teacher-password' });
  await services.accounts.create(root, { username: 'admin-b', role: 'school-admin', school: 'sch-b', password: 'admin-b-password' });
  for (const [who, username] of [['region', 'region'], ['adminA', 'admin-a'], ['teacherA', 'teacher-a']] as const) tokens[who] = (await services.tokens.create(root, { username })).token;
  await services.tokens.create(root, { username: 'admin-b', name: 'admin-b sync' });
  await services.vouchers.issue(root, { role: 'guest', school: 'sch-b', duration: 3600, uses: 1, count: 2 });
  await freshDevice('other');
  await services.content.setProfile(root, 'lessons', 'sch-b', { allowOnly: true });
  await services.content.addNetwork(root, '10.5.0.0/24', 'sch-b', 'safe');
  await freshSession('other');
  await freshSession('own');
  await freshSiteRequest('other');
});
afterAll(async () => {
  await app?.close();
  await server?.close();
});

describe('the permission matrix over HTTP', () => {
  const cells = matrix.flatMap(([route, request, own, other]) => WHO.flatMap((who, index) => [
    [route, who, 'own', own[index]!, request] as const,
    [route, who, 'other', other[index]!, request] as const,
  ]));

  it.each(cells)('%s as %s on the %s school: %i', async (_route, who, side, expected, request) => {
    const options = await request(side);
    const reply = await app.inject({ ...options, url: `/api/v1${options.url as string}`, headers: { ...options.headers, authorization: `Bearer ${tokens[who]}` } });
    expect(reply.statusCode, reply.body).toBe(expected);
    if (reply.statusCode >= 400) expect(Object.keys(reply.json<{ error: object }>().error)).toEqual(expect.arrayContaining(['code', 'message']));
    if (who !== 'region') {
      expect(reply.body).not.toMatch(reply.statusCode < 300 ? SCHOOL_B : /School B|admin-b/);
    }
  });
});
