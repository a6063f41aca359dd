// How long a teacher's approval lasts: "1h", "2h30m", or until the end of the school day in the
// school's time zone — never past the school's maximum, never a school day already over.
import { describe, expect, it } from 'vitest';
import { approvalEnd } from '../../src/services/guests.js';
import { GUEST_DEFAULTS } from '../../src/store/guest-settings.js';

// 2026-12-01 10:15:30 in Almaty (UTC+5).
const NOW = Date.parse('2026-12-01T05:15:30Z');
const MINUTE = 60_000;

describe('approvalEnd', () => {
  it.each([
    ['1h', NOW + 60 * MINUTE],
    ['2h', NOW + 120 * MINUTE],
    ['90m', NOW + 90 * MINUTE],
    ['2h30m', NOW + 150 * MINUTE],
    ['10h', NOW + 600 * MINUTE],
  ])('%s ends at now + the duration', (duration, end) => {
    expect(approvalEnd(duration, GUEST_DEFAULTS, 'Asia/Almaty', NOW)).toBe(end);
  });

  it('ends the school day at 17:00 in the school\'s zone, not the server\'s', () => {
    expect(new Date(approvalEnd('school-day', GUEST_DEFAULTS, 'Asia/Almaty', NOW)).toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(new Date(approvalEnd('school-day', { ...GUEST_DEFAULTS, schoolDayEnd: '15:30' }, 'Europe/Moscow', NOW)).toISOString()).toBe('2026-12-01T12:30:00.000Z');
  });

  it('refuses a school day already over, more than the maximum, and anything that is not a duration', () => {
    expect(() => approvalEnd('school-day', { ...GUEST_DEFAULTS, schoolDayEnd: '10:00' }, 'Asia/Almaty', NOW)).toThrow(/ended at 10:00/);
    expect(() => approvalEnd('11h', GUEST_DEFAULTS, 'Asia/Almaty', NOW)).toThrow(/at most 10h/);
    for (const typed of ['', '0h', '1d', 'h', '1 h', '-1h']) expect(() => approvalEnd(typed, GUEST_DEFAULTS, 'Asia/Almaty', NOW)).toThrow(/not a duration/);
  });

  it('keeps a school day within the maximum approval', () => {
    expect(approvalEnd('school-day', { ...GUEST_DEFAULTS, maxApprovalHours: 2 }, 'Asia/Almaty', NOW)).toBe(NOW + 120 * MINUTE);
  });
});
