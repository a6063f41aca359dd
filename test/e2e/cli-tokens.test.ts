// `mektep token create/list/revoke` as an admin types them (the real CLI process), and the token
// it prints working against the REST API over real HTTP until it is revoked.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { runCli } from '../helpers/process.js';

let fixture: AppFixture;
let env: Record<string, string>;
let base: string;

const get = (path: string, token: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  fixture = await startAppFixture();
  env = { REDIS_URL: fixture.server.url };
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(fixture.app.server.address() as AddressInfo).port}/api/v1`;
  expect((await runCli(['school', 'add', 'sch-t', '--name', 'School T'], env)).code).toBe(0);
  expect((await runCli(['admin', 'create', 'aigerim', '--role', 'school-admin', '--school', 'sch-t', '--password-stdin'], env, 'aigerim-password\n')).code).toBe(0);
});
afterAll(async () => {
  await fixture?.close();
});

describe('mektep token', () => {
  let id: string;
  let token: string;

  it('creates a token printed once, as {"id","token"} with --json', async () => {
    const created = await runCli(['token', 'create', 'aigerim', '--name', 'nightly sync', '--expires', '30d', '--json'], env);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['id', 'token']);
    expect(body.token).toMatch(/^mk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    ({ id, token } = body as { id: string; token: string });
    // Redis holds a hash of it, never the token or its secret.
    const stored = await fixture.server.client().hgetall(`mk:api-token:${id}`);
    expect(JSON.stringify(stored)).not.toContain(token.split('_')[2]);
  });

  it('lets the token act as its account over HTTP: its school only', async () => {
    const schools = await get('/schools', token);
    expect(schools.status).toBe(200);
    expect(((await schools.json()) as { items: { id: string }[] }).items.map((school) => school.id)).toEqual(['sch-t']);
    expect((await get('/audit?school=sch-other', token)).status).toBe(403);
  });

  it('lists the token with its owner, name, expiry and first use, and no secret', async () => {
    const listed = await runCli(['token', 'list', '--user', 'aigerim', '--json'], env);
    const tokens = JSON.parse(listed.stdout) as Record<string, string>[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ id, owner: 'aigerim', name: 'nightly sync', school: 'sch-t' });
    expect(Date.parse(tokens[0]!.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(tokens[0]!.lastUsedAt).toBeDefined();
    expect(listed.stdout).not.toContain(token);
    const text = await runCli(['token', 'list'], env);
    expect(text.stdout).toMatch(/ID\s+OWNER\s+NAME/);
  });

  it('revokes it: the next request is a 401 in JSON', async () => {
    const revoked = await runCli(['token', 'revoke', id], env);
    expect(revoked).toMatchObject({ code: 0, stdout: `API token ${id} of aigerim revoked\n` });
    const refused = await get('/schools', token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'MK_ERR_UNAUTHORIZED', message: expect.any(String) } });
    expect((await runCli(['token', 'revoke', id], env)).code).toBe(1);
  });

  it('refuses a token for an account that does not exist', async () => {
    const refused = await runCli(['token', 'create', 'nobody'], env);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('console account "nobody" does not exist') });
  });
});
