// The voucher sweep finds ended vouchers' sessions by their devices with no set per MAC (issue
// 12): one read of each school's set and one pass over the region's set per sweep, however many
// vouchers and devices — a pass per device would read every live session of the region once per
// device every minute.
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepVouchers } from '../../src/enforcement/voucher-sweeper.js';
import { createLogger } from '../../src/logger.js';
import type { Session } from '../../src/store/sessions.js';
import { useTestStore } from '../helpers/redis.js';

const db = useTestStore();
beforeAll(async () => {
  await db.store.roles.add('guest', 'test');
  await db.store.schools.add({ id: 'sch-a', name: 'School A' }, 'test');
});

/** How many times Redis ran `command` so far (INFO commandstats). */
async function calls(command: string): Promise<number> {
  const line = (await db.redis.info('commandstats')).split('\n').find((row) => row.startsWith(`cmdstat_${command}:`));
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

const mac = (school: number, device: number) => `02:00:5e:${String(school).padStart(2, '0')}:00:${String(device).padStart(2, '0')}`;

describe('the voucher sweep', () => {
  it('ends every ended voucher device session, of the region and of schools, in one pass over the region set', async () => {
    const region = await db.store.vouchers.create({ role: 'guest', duration: 600, uses: 5, count: 3 }, 'test');
    const school = await db.store.vouchers.create({ role: 'guest', school: 'sch-a', duration: 600, uses: 5, count: 2 }, 'test');
    const running = (await db.store.vouchers.create({ role: 'guest', duration: 86_400, uses: 1, count: 1 }, 'test'))[0]!;
    const expected = new Set<string>();
    const online = async (code: string, device: string, where: string, id: string) => {
      expect((await db.store.vouchers.redeem(code, device)).ok).toBe(true);
      await db.store.sessions.record({ nas: '10.9.0.1', sessionId: id, role: 'guest', school: where, mac: device, status: 'start', inOctets: 0, outOctets: 0 });
    };
    for (const [index, voucher] of region.entries()) {
      for (const device of [1, 2]) {
        await online(voucher.code, mac(index, device), `sch-${index}`, `r-${index}-${device}`);
        expected.add(`r-${index}-${device}`);
      }
    }
    for (const [index, voucher] of school.entries()) {
      await online(voucher.code, mac(10 + index, 1), 'sch-a', `s-${index}`);
      expected.add(`s-${index}`);
    }
    await online(running.code, mac(20, 1), 'sch-b', 'still-running');
    // Another school's session of a school voucher's device, and a pupil's on a region voucher's device, stay.
    await db.store.sessions.record({ nas: '10.9.0.1', sessionId: 'elsewhere', role: 'guest', school: 'sch-z', mac: mac(10, 1), status: 'start', inOctets: 0, outOctets: 0 });
    await db.store.sessions.record({ nas: '10.9.0.1', sessionId: 'pupil', user: 'aru', role: 'guest', school: 'sch-0', mac: mac(0, 1), status: 'start', inOctets: 0, outOctets: 0 });

    const ended: Session[] = [];
    const scansBefore = await calls('zscan');
    const count = await sweepVouchers({
      redis: db.redis, vouchers: db.store.vouchers, sessions: db.store.sessions, log: createLogger('silent'), now: () => Date.now() + 3600_000,
      disconnect: async (session) => { ended.push(session); },
    });
    // 10,000 sessions' worth of region set fits one ZSCAN page here: a pass per device would be six.
    expect(await calls('zscan') - scansBefore).toBe(1);
    expect(count).toBe(expected.size);
    expect(new Set(ended.map((session) => session.sessionId))).toEqual(expected);
  });
});
