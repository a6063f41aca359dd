// The session table announces where a session is on the DNS filter's channel, from inside its
// scripts: Start, a move to another address, Stop and Accounting-On closes — and nothing for an
// Interim-Update that changes neither address nor login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { subscribeSessionAnnouncements, type SessionAnnouncement } from '../../src/store/session-announcements.js';
import { createSessionStore, sessionKeyId } from '../../src/store/sessions.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
const heard: SessionAnnouncement[] = [];
let close: () => void;

beforeAll(async () => {
  server = await startTestRedis();
  const announcements = await subscribeSessionAnnouncements(server.client());
  announcements.on('session', (announcement) => heard.push(announcement));
  close = () => announcements.close();
});

afterAll(async () => {
  close();
  await server.close();
});

describe('session announcements', () => {
  it('announce Start and an address change, not a plain Interim-Update, then Stop with the last address', async () => {
    const sessions = createSessionStore(server.client());
    const base = { nas: '10.0.0.0/24', nasIp: '10.0.0.7', sessionId: 'a-1', user: 'amir', role: 'student', school: 'sch-1', inOctets: 0, outOctets: 0 };
    const id = sessionKeyId(base.nas, base.sessionId, base.nasIp);
    await sessions.record({ ...base, status: 'start', ip: '10.1.0.5' });
    await sessions.record({ ...base, status: 'interim', ip: '10.1.0.5', inOctets: 500 });
    await sessions.record({ ...base, status: 'interim', ip: '10.1.0.9', inOctets: 900 });
    await sessions.record({ ...base, status: 'stop', ip: '10.1.0.9', inOctets: 1000 });
    await waitFor(async () => (heard.length >= 3 ? true : undefined), 2000, 'three announcements');
    expect(heard.splice(0)).toEqual([
      { session: id, state: 'start', ip: '10.1.0.5', user: 'amir', role: 'student', school: 'sch-1' },
      { session: id, state: 'start', ip: '10.1.0.9', user: 'amir', role: 'student', school: 'sch-1' },
      { session: id, state: 'stop', ip: '10.1.0.9' },
    ]);
  });

  it('announce the end of every session an Accounting-On closes', async () => {
    const sessions = createSessionStore(server.client());
    for (const n of [1, 2, 3]) {
      await sessions.record({ nas: '10.0.1.1', nasIp: '10.0.1.1', sessionId: `b-${n}`, status: 'start', ip: `10.2.0.${n}`, inOctets: 0, outOctets: 0 }, Date.now() - 60_000);
    }
    await waitFor(async () => (heard.length >= 3 ? true : undefined), 2000, 'the starts');
    heard.splice(0);
    const result = await sessions.closeAccessPoint({ nas: '10.0.1.1', ap: '10.0.1.1' }, Date.now() - 1000, 'NAS-Reboot');
    expect(result.closed).toBe(3);
    await waitFor(async () => (heard.length >= 3 ? true : undefined), 2000, 'the stops');
    expect(heard.map((announcement) => [announcement.state, announcement.ip]).sort()).toEqual([['stop', '10.2.0.1'], ['stop', '10.2.0.2'], ['stop', '10.2.0.3']]);
    expect(await server.client().zcard(keys.sessions)).toBe(0);
  });
});
