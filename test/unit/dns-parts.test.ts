import { describe, expect, it } from 'vitest';
import { createAnswerCache } from '../../src/dns/cache.js';
import { createClientDirectory } from '../../src/dns/clients.js';
import { createRateLimiter } from '../../src/dns/rate-limit.js';
import { parseUpstreams, resolvConfServers } from '../../src/dns/upstream.js';
import type { Session } from '../../src/store/sessions.js';

const session = (id: string, ip: string, role: string): Session => ({
  id, nas: '10.0.0.1', sessionId: id, ip, role, user: `u-${id}`, school: 's1', startedAt: '', updatedAt: '', inOctets: 0, outOctets: 0,
});

describe('client directory', () => {
  it('looks an unknown address up once, remembers a miss briefly, and refreshes after', async () => {
    let clock = 0;
    const reads: string[] = [];
    const table = new Map<string, Session>();
    const clients = createClientDirectory({ byIp: async (ip) => (reads.push(ip), table.get(ip)), now: () => clock, foundTtlMs: 30_000, notFoundTtlMs: 5_000 });
    expect(await clients.who('10.1.0.5')).toBeUndefined();
    expect(clients.who('10.1.0.5')).toBeUndefined();
    expect(reads).toEqual(['10.1.0.5']);
    table.set('10.1.0.5', session('a', '10.1.0.5', 'student'));
    clock = 5_001;
    // Stale: answers from memory now, refreshes for the next query.
    expect(clients.who('10.1.0.5')).toBeUndefined();
    await Promise.resolve();
    await Promise.resolve();
    expect(clients.who('10.1.0.5')).toMatchObject({ role: 'student', session: 'a' });
    expect(reads).toHaveLength(2);
  });

  it('follows announcements: start, a new address, stop', () => {
    const clients = createClientDirectory({ byIp: async () => undefined, now: () => 0 });
    clients.load([session('a', '10.1.0.5', 'student')]);
    expect(clients.who('10.1.0.5')).toMatchObject({ role: 'student' });
    clients.apply({ session: 'a', state: 'start', ip: '10.1.0.9', role: 'student', user: 'u-a' });
    expect(clients.who('10.1.0.9')).toMatchObject({ role: 'student' });
    expect(clients.who('10.1.0.5')).toBeInstanceOf(Promise);
    clients.apply({ session: 'a', state: 'stop' });
    expect(clients.who('10.1.0.9')).toBeInstanceOf(Promise);
  });

  it('takes an address as unknown (not an error) while Redis cannot be read', async () => {
    const clients = createClientDirectory({ byIp: () => Promise.reject(new Error('Connection is closed.')), now: () => 0 });
    await expect(clients.who('10.1.0.5')).resolves.toBeUndefined();
  });

  it('keeps no more than its bound', async () => {
    const clients = createClientDirectory({ byIp: async () => undefined, now: () => 0, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await clients.who(`10.2.${i >> 8}.${i & 255}`);
    expect(clients.size()).toBeLessThanOrEqual(100);
  });
});

describe('answer cache', () => {
  const answer = (ttl: number) => ({ type: 'response' as const, flags: 0, questions: [{ type: 'A' as const, name: 'a.example' }], answers: [{ type: 'A' as const, name: 'a.example', ttl, data: '10.0.0.1' }] });

  it('caps TTLs at 60 s, counts them down, and asks again when they run out', async () => {
    let clock = 0;
    let asked = 0;
    const cache = createAnswerCache({ resolve: async () => (asked++, answer(3600)), now: () => clock });
    const first = await cache.lookup({ type: 'A', name: 'a.example' });
    expect(first.answers[0]).toMatchObject({ ttl: 60 });
    clock = 45_000;
    expect(await cache.lookup({ type: 'A', name: 'A.Example' })).toMatchObject({ answers: [{ ttl: 15 }] });
    clock = 61_000;
    await cache.lookup({ type: 'A', name: 'a.example' });
    expect(asked).toBe(2);
  });

  it('shares one upstream query among identical questions in flight, and keeps no SERVFAIL', async () => {
    let asked = 0;
    const cache = createAnswerCache({ resolve: async () => (asked++, { ...answer(30), flags: 2 }), now: () => 0 });
    await Promise.all([cache.lookup({ type: 'A', name: 'a.example' }), cache.lookup({ type: 'A', name: 'a.example' })]);
    expect(asked).toBe(1);
    await cache.lookup({ type: 'A', name: 'a.example' });
    expect(asked).toBe(2);
  });
});

describe('upstreams and limits', () => {
  it('reads DNS_UPSTREAM and resolv.conf', () => {
    expect(parseUpstreams('10.0.0.53, 10.0.0.54:5353,[2001:db8::1]:53,2001:db8::2')).toEqual([
      { host: '10.0.0.53', port: 53 }, { host: '10.0.0.54', port: 5353 }, { host: '2001:db8::1', port: 53 }, { host: '2001:db8::2', port: 53 },
    ]);
    expect(() => parseUpstreams('dns.example')).toThrow(/ip\[:port\]/);
    expect(resolvConfServers('# x\nnameserver 10.255.255.53\nsearch lan\nnameserver fe80::1%eth0\n')).toEqual([{ host: '10.255.255.53', port: 53 }, { host: 'fe80::1', port: 53 }]);
  });

  it('lets a client burst, then holds it to its rate', () => {
    let clock = 0;
    const limiter = createRateLimiter({ perSecond: 10, burst: 20, now: () => clock });
    const allowed = Array.from({ length: 30 }, () => limiter.allow('10.0.0.1')).filter(Boolean).length;
    expect(allowed).toBe(20);
    expect(limiter.allow('10.0.0.2')).toBe(true);
    clock = 500;
    expect(Array.from({ length: 10 }, () => limiter.allow('10.0.0.1')).filter(Boolean).length).toBe(5);
  });
});
