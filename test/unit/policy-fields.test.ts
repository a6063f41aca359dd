import { describe, expect, it } from 'vitest';
import { mergePolicy, validatePolicy } from '../../src/policy/fields.js';

describe('policy fields', () => {
  it('accepts every field of the model', () => {
    const policy = {
      downRate: 5_000_000, upRate: 1_000_000, burstDownRate: 8_000_000, burstUpRate: 2_000_000, burstSeconds: 10,
      sessionTimeout: 28_800, idleTimeout: 900, interimInterval: 300, dailyQuota: 2e9, monthlyQuota: 40e9,
      schedule: [{ days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '17:00' }, { days: [5], start: '22:00', end: '02:00' }],
      maxDevices: 2, deviceLimitMode: 'evict-oldest', contentProfile: 'students', vlan: 120, filterId: 'students',
      rememberFor: 604_800, rememberByDefault: false,
    };
    expect(validatePolicy(policy)).toEqual(policy);
  });

  it.each([
    [{ dailyQuota: -5e9 }, /dailyQuota/],
    [{ schedule: [{ days: [1], start: '25:00', end: '17:00' }] }, /schedule/],
    [{ schedule: [{ days: [7], start: '08:00', end: '17:00' }] }, /schedule/],
    [{ vlan: 5000 }, /vlan/],
    [{ filterId: 'students\nvlan=120' }, /filterId/],
    [{ filterId: 'exam\u0000' }, /filterId/],
    [{ deviceLimitMode: 'kick' }, /deviceLimitMode/],
    [{ speed: 5 }, /policy field/],
  ])('refuses %j naming the field', (input, message) => {
    expect(() => validatePolicy(input)).toThrow(message);
  });

  it('lets a school override change only the fields it names', () => {
    expect(mergePolicy({ downRate: 5e6, upRate: 1e6 }, { downRate: 2e6 })).toEqual({ downRate: 2e6, upRate: 1e6 });
  });
});
