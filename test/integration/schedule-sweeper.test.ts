import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepSchedules } from '../../src/enforcement/schedule-sweeper.js';
import { parseSchedule } from '../../src/policy/schedule.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrate } from '../../src/store/schema.js';
import type { Session } from '../../src/store/sessions.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let store: Store;

beforeAll(async () => {
  server = await startTestRedis();
  const redis = server.client();
  await migrate(redis);
  store = createStore(redis);
});
afterAll(async () => {
  await server.close();
});

describe('schedule sweep', () => {
  it('ends the sessions whose role is outside its window in the school\'s time zone, once per minute across instances', async () => {
    // Wednesday 2026-11-25 18:00 in Asia/Almaty: after the students' 08:00-17:00 window, inside the teachers'.
    const now = Date.parse('2026-11-25T13:00:00Z');
    const schedules = { student: parseSchedule('mon-sat 08:00-17:00'), teacher: parseSchedule('mon-sat 07:00-20:00') };
    for (const [id, role] of [['s-1', 'student'], ['t-1', 'teacher'], ['x-1', undefined]] as const) {
      await store.sessions.record({ nas: '10.9.0.1', sessionId: id, status: 'start', inOctets: 0, outOctets: 0, ...(role ? { role, school: 'sch-1' } : {}) });
    }
    const ended: Session[] = [];
    const deps = {
      redis: server.client(),
      sessions: store.sessions,
      policies: { effective: async (role: string) => ({ schedule: schedules[role as keyof typeof schedules] }) },
      schools: { timeZone: () => 'Asia/Almaty' },
      disconnect: async (session: Session) => void ended.push(session),
      log: { warn: () => undefined },
      now: () => now,
    };
    expect(await sweepSchedules(deps)).toBe(1);
    expect(ended.map((session) => session.sessionId)).toEqual(['s-1']);
    expect(await sweepSchedules(deps)).toBe(0);
  });
});
