// Lesson focus against real peers: dig asking from the addresses RADIUS accounting gave each
// person, dnsmasq as the upstream, the mektep CLI as the teacher's tool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, startDnsmasq, type Dnsmasq } from '../helpers/dns.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { cliJson, waitFor } from '../helpers/process.js';
import { signInAndStart } from '../helpers/radclient.js';
import { createServices } from '../../src/services/index.js';

const SECRET = 'focus-test-secret';
const BLOCK = '10.66.0.1';
const AMIR = '127.0.0.41';
const BOTA = '127.0.0.42';
const DANA = '127.0.0.43';

let upstream: Dnsmasq;
let fixture: AppFixture;
let port: number;
let env: Record<string, string>;

const cli = (...args: string[]) => cliJson(env, ...args);

const online = (user: string, ip: string, session: string) => signInAndStart(fixture, SECRET, { user, password: `${user}-password`, ip, session });

const first = async (from: string, name: string) => (await dig(port, from, name)).answers[0]?.data;
const becomes = (from: string, name: string, expected: string, ms: number) =>
  waitFor(async () => ((await first(from, name)) === expected ? true : undefined), ms, `${name} from ${from} → ${expected}`);
const services = () => createServices({ store: fixture.store, enforcer: fixture.app.services.enforcer, admit: fixture.app.services.admit });
const auditActions = async (target: string) => (await fixture.store.audit.recent(200)).filter((entry) => entry.target === target).map((entry) => entry.action);

beforeAll(async () => {
  upstream = await startDnsmasq([
    '--txt-record=ready.upstream.test,ok',
    '--address=/exam.example/10.9.0.5',
    '--address=/wikipedia.org/10.9.0.6',
  ]);
  fixture = await startAppFixture({ DNS_HOST: '127.0.0.1', DNS_PORT: '0', DNS_UPSTREAM: `127.0.0.1:${upstream.port}`, DNS_BLOCK_ADDRESS: BLOCK });
  port = fixture.app.dns!.port();
  env = { REDIS_URL: fixture.server.url };
  const { store } = fixture;
  await store.schools.add({ id: 'sch-1', name: 'School 1' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'chilli', school: 'sch-1' }, 'test');
  for (const [username, role] of [['amir', 'student'], ['bota', 'student'], ['dana', 'teacher']] as const) {
    await store.users.add({ username, password: `${username}-password`, role, school: 'sch-1' }, 'test');
  }
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
  await online('amir', AMIR, 'focus-1');
  await online('bota', BOTA, 'focus-2');
  await online('dana', DANA, 'focus-3');
});

afterAll(async () => {
  await fixture?.close();
  await upstream?.stop();
});

describe('lesson focus', () => {
  it('blocks all but the allow-list for the named students within a second, never the teacher, and ends when stopped', async () => {
    expect(await first(AMIR, 'wikipedia.org')).toBe('10.9.0.6');
    const focus = await cli('focus', 'start', '--school', 'sch-1', '--users', 'amir,dana', '--minutes', '45', '--allow', 'exam.example', '--name', 'Algebra test');
    await becomes(AMIR, 'wikipedia.org', BLOCK, 1000);
    expect(await first(AMIR, 'www.exam.example')).toBe('10.9.0.5');
    // The teacher is on the list and still unaffected; a student not on it too.
    expect(await first(DANA, 'wikipedia.org')).toBe('10.9.0.6');
    expect(await first(BOTA, 'wikipedia.org')).toBe('10.9.0.6');
    expect((await cli('focus', 'list')) as unknown).toEqual([expect.objectContaining({ id: focus.id, name: 'Algebra test', users: ['amir', 'dana'] })]);

    await cli('focus', 'stop', String(focus.id));
    await becomes(AMIR, 'wikipedia.org', '10.9.0.6', 1000);
    expect(await cli('focus', 'list')).toEqual([]);
    expect(await auditActions(String(focus.id))).toEqual(['focus.stop', 'focus.start']);
  });

  it('covers every student device on the chosen access point', async () => {
    const focus = await cli('focus', 'start', '--school', 'sch-1', '--nas', '127.0.0.1', '--minutes', '10', '--allow', 'exam.example');
    await becomes(BOTA, 'wikipedia.org', BLOCK, 1000);
    expect(await first(AMIR, 'wikipedia.org')).toBe(BLOCK);
    expect(await first(BOTA, 'exam.example')).toBe('10.9.0.5');
    expect(await first(DANA, 'wikipedia.org')).toBe('10.9.0.6');
    await cli('focus', 'stop', String(focus.id));
    await becomes(BOTA, 'wikipedia.org', '10.9.0.6', 1000);
  });

  it('ends by itself at its end time for a group, and the expiry is audited once', async () => {
    await cli('group', 'add', '7b', '--school', 'sch-1', '--users', 'bota');
    const until = Date.now() + 2500;
    const focus = await services().focus.start({ kind: 'root', actor: 'test' }, { school: 'sch-1', group: '7b', until, allow: ['exam.example'] });
    await becomes(BOTA, 'wikipedia.org', BLOCK, 1000);
    expect(await first(AMIR, 'wikipedia.org')).toBe('10.9.0.6');
    // Answers turn back once the end time passes, without anyone stopping it.
    await becomes(BOTA, 'wikipedia.org', '10.9.0.6', 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    await waitFor(async () => ((await auditActions(focus.id)).includes('focus.expire') ? true : undefined), 5000, 'the expiry entry');
    expect(await auditActions(focus.id)).toEqual(['focus.expire', 'focus.start']);
    expect(await fixture.store.focus.list()).toEqual([]);
  });

  it('refuses a focus on another school\'s students or without a target', async () => {
    await fixture.store.schools.add({ id: 'sch-2', name: 'School 2' }, 'test');
    const teacher = { kind: 'teacher', username: 't2', school: 'sch-2' } as const;
    await expect(services().focus.start(teacher, { users: ['amir'], minutes: 10, allow: ['exam.example'] })).rejects.toThrow(/not a user of sch-2/);
    await expect(services().focus.start(teacher, { school: 'sch-1', users: ['amir'], minutes: 10, allow: ['exam.example'] })).rejects.toThrow(/another school/);
    await expect(services().focus.start(teacher, { minutes: 10, allow: ['exam.example'] })).rejects.toThrow(/exactly one/);
  });
});
