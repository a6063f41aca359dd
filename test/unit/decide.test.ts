import { describe, expect, it } from 'vitest';
import { decide, quotaState, type DecisionInput } from '../../src/policy/decide.js';
import { parseSchedule } from '../../src/policy/schedule.js';

// Wednesday 2026-11-25 10:00 in Asia/Almaty (UTC+5).
const now = Date.parse('2026-11-25T05:00:00Z');
const base: DecisionInput = { role: 'student', policy: {}, timeZone: 'Asia/Almaty', now, className: 'c' };
const sessions = [
  { id: 'a', mac: 'aa:aa:aa:aa:aa:01', startedAt: now - 3_600_000 },
  { id: 'b', mac: 'aa:aa:aa:aa:aa:02', startedAt: now - 7_200_000 },
];

describe('decide', () => {
  it.each<[string, Partial<DecisionInput>, Record<string, unknown>]>([
    ['no limits: accept, interim only', {}, { accept: true, grant: { role: 'student', interimInterval: 300, className: 'c' }, evict: [] }],
    ['session timeout alone', { policy: { sessionTimeout: 28_800 } }, { accept: true, grant: expect.objectContaining({ sessionTimeout: 28_800 }) }],
    ['schedule ends before the session timeout', { policy: { sessionTimeout: 28_800, schedule: parseSchedule('mon-sat 08:00-17:00') } }, { accept: true, grant: expect.objectContaining({ sessionTimeout: 7 * 3600 }) }],
    ['account expiry ends sooner still', { policy: { sessionTimeout: 28_800 }, validUntil: now + 600_000 }, { accept: true, grant: expect.objectContaining({ sessionTimeout: 600 }) }],
    ['no policy timeout: the end date of the device alone', { validUntil: now + 90_500 }, { accept: true, grant: expect.objectContaining({ sessionTimeout: 90 }) }],
    ['no policy timeout: the end of the schedule, sooner than the end date', { policy: { schedule: parseSchedule('mon-sat 08:00-17:00') }, validUntil: now + 86_400_000 }, { accept: true, grant: expect.objectContaining({ sessionTimeout: 7 * 3600 }) }],
    ['an end date already past: one second', { policy: { sessionTimeout: 28_800 }, validUntil: now - 5_000 }, { accept: true, grant: expect.objectContaining({ sessionTimeout: 1 }) }],
    ['outside the schedule', { policy: { schedule: parseSchedule('sat,sun 10:00-14:00') } }, { accept: false, reason: 'outside-schedule' }],
    ['window past midnight, not yet open', { policy: { schedule: parseSchedule('wed 22:00-02:00') } }, { accept: false, reason: 'outside-schedule' }],
    ['daily quota: data left is what remains', { policy: { dailyQuota: 2e9 }, usage: { today: 1.5e9, month: 0 } }, { accept: true, grant: expect.objectContaining({ dataLeft: 5e8 }) }],
    ['daily quota used exactly up', { policy: { dailyQuota: 2e9 }, usage: { today: 2e9, month: 0 } }, { accept: false, reason: 'daily-quota' }],
    ['daily quota one byte short', { policy: { dailyQuota: 2e9 }, usage: { today: 2e9 - 1, month: 0 } }, { accept: true, grant: expect.objectContaining({ dataLeft: 1 }) }],
    ['monthly quota tighter than daily', { policy: { dailyQuota: 2e9, monthlyQuota: 20e9 }, usage: { today: 0, month: 19.9e9 } }, { accept: true, grant: expect.objectContaining({ dataLeft: 1e8 }) }],
    ['monthly quota used up', { policy: { monthlyQuota: 20e9 }, usage: { today: 0, month: 20e9 } }, { accept: false, reason: 'monthly-quota' }],
    ['device limit reached, refuse', { policy: { maxDevices: 2 }, sessions, mac: 'aa:aa:aa:aa:aa:03' }, { accept: false, reason: 'device-limit' }],
    ['device limit: the same device reconnecting is not a new one', { policy: { maxDevices: 2 }, sessions, mac: 'aa:aa:aa:aa:aa:01' }, { accept: true, evict: [] }],
    ['device limit reached, evict the oldest', { policy: { maxDevices: 2, deviceLimitMode: 'evict-oldest' }, sessions, mac: 'aa:aa:aa:aa:aa:03' }, { accept: true, evict: [sessions[1]] }],
    ['one device allowed, two online: evict both', { policy: { maxDevices: 1, deviceLimitMode: 'evict-oldest' }, sessions, mac: 'aa:aa:aa:aa:aa:03' }, { accept: true, evict: [sessions[1], sessions[0]] }],
    ['rates, burst, idle, VLAN and Filter-Id carried', { policy: { downRate: 5e6, upRate: 1e6, burstDownRate: 8e6, burstSeconds: 10, idleTimeout: 900, vlan: 120, filterId: 'students', interimInterval: 600 } },
      { accept: true, grant: { role: 'student', className: 'c', downRate: 5e6, upRate: 1e6, burstDownRate: 8e6, burstSeconds: 10, idleTimeout: 900, vlan: 120, filterId: 'students', interimInterval: 600 } }],
  ])('%s', (_name, change, expected) => {
    expect(decide({ ...base, ...change })).toMatchObject(expected);
  });

  it('gives each rejection a message the person can act on', () => {
    const decision = decide({ ...base, policy: { dailyQuota: 1 }, usage: { today: 5, month: 5 } });
    expect(decision).toEqual({ accept: false, reason: 'daily-quota', message: 'Your daily data allowance is used up; it renews at midnight' });
  });

  it('tells which quota is used up, on its own (accounting checks it whatever the schedule)', () => {
    expect(quotaState({}, { today: 5e9, month: 5e9 })).toEqual({ left: undefined });
    expect(quotaState({ dailyQuota: 2e9, monthlyQuota: 40e9 }, { today: 1e9, month: 39.5e9 })).toEqual({ left: 5e8 });
    expect(quotaState({ dailyQuota: 2e9 }, { today: 2e9, month: 2e9 })).toEqual({ over: 'daily-quota' });
    expect(quotaState({ dailyQuota: 2e9, monthlyQuota: 3e9 }, { today: 0, month: 3e9 })).toEqual({ over: 'monthly-quota' });
  });
});
