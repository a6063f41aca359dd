// The per-school query log against real peers: off by default (nothing in Redis after queries),
// on by the CLI (dig's queries appear with device, user, name and decision, filterable), another
// school's admin refused, and off again deletes every entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/services/index.js';
import { keys } from '../../src/store/keys.js';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { cliJson, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';

const SECRET = 'query-log-secret';
const AMIR = '127.0.0.61';

let upstream: Dnsmasq;
let fixture: AppFixture;
let port: number;
let env: Record<string, string>;
let services: Services;

const cli = (...args: string[]) => cliJson<unknown>(env, ...args);

beforeAll(async () => {
  upstream = await startDnsmasq(['--txt-record=ready.upstream.test,ok', '--address=/wikipedia.org/10.9.0.6']);
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: '10.66.0.1' });
  port = fixture.app.dns!.port();
  env = { REDIS_URL: fixture.server.url };
  services = createServices({ store: fixture.store, enforcer: fixture.app.services.enforcer, admit: fixture.app.services.admit });
  await fixture.store.schools.add({ id: 'sch-1', name: 'School 1' }, 'test');
  await fixture.store.schools.add({ id: 'sch-2', name: 'School 2' }, 'test');
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1' }, 'test');
  await fixture.store.users.add({ username: 'amir', password: 'amir-password', role: 'student', school: 'sch-1' }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  const login = await radclient(fixture.auth, 'auth', SECRET, 'User-Name=amir,User-Password=amir-password,Message-Authenticator=0x00');
  const start = `Acct-Status-Type=Start,Acct-Session-Id=ql-1,User-Name=amir,Framed-IP-Address=${AMIR},Class=${login.attributes.Class![0]}`;
  expect((await radclient(fixture.acct, 'acct', SECRET, start)).reply).toBe('Accounting-Response');
});

afterAll(async () => {
  await fixture?.close();
  await upstream?.stop();
});

describe('the per-school query log', () => {
  it('keeps nothing while off, records device, user, name and decision while on, and deletes it all when turned off', async () => {
    const redis = fixture.server.client();
    await dig(port, AMIR, 'wikipedia.org');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await redis.exists(keys.queryLog('sch-1'))).toBe(0);

    await cli('query-log', 'on', 'sch-1', '--days', '3');
    await waitFor(async () => {
      await dig(port, AMIR, 'www.wikipedia.org');
      return (await redis.exists(keys.queryLog('sch-1'))) ? true : undefined;
    }, 5000, 'the first entry');
    await dig(port, AMIR, 'use-application-dns.net');
    await waitFor(async () => ((await services.queryLog.read({ kind: 'root', actor: 'test' }, 'sch-1', { domain: 'use-application-dns.net' })).length ? true : undefined), 3000, 'the canary entry');
    const entries = (await cli('query-log', 'show', 'sch-1', '--user', 'amir')) as { ip: string; user: string; domain: string; decision: string }[];
    expect(entries[0]).toMatchObject({ ip: AMIR, user: 'amir', domain: 'use-application-dns.net', decision: 'nxdomain:doh-canary' });
    expect(entries).toEqual(expect.arrayContaining([expect.objectContaining({ domain: 'www.wikipedia.org', decision: 'allow:default' })]));
    const byDomain = (await cli('query-log', 'show', 'sch-1', '--domain', 'wikipedia.org')) as { domain: string }[];
    expect(byDomain.length).toBeGreaterThan(0);
    expect(new Set(byDomain.map((entry) => entry.domain))).toEqual(new Set(['www.wikipedia.org']));
    await expect(services.queryLog.read({ kind: 'school-admin', username: 'admin-2', school: 'sch-2' }, 'sch-1')).rejects.toThrow(/another school/);
    await expect(services.queryLog.read({ kind: 'teacher', username: 't1', school: 'sch-1' }, 'sch-1')).rejects.toThrow(/may not/);

    await cli('query-log', 'off', 'sch-1');
    expect(await redis.exists(keys.queryLog('sch-1'))).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await dig(port, AMIR, 'wikipedia.org');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await redis.exists(keys.queryLog('sch-1'))).toBe(0);
    const actions = (await fixture.store.audit.recent(20)).map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(['content.query-log.on', 'content.query-log.off']));
  });
});
