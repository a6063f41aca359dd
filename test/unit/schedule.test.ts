import { describe, expect, it } from 'vitest';
import { formatSchedule, parseSchedule, secondsLeftInSchedule, weekMinute } from '../../src/policy/schedule.js';

// 2026-11-25 is a Wednesday. Asia/Almaty has been UTC+5 since March 2024: 03:00Z is 08:00 there.
const at = (iso: string) => Date.parse(iso);

describe('schedules', () => {
  it('reads day ranges, lists and windows past midnight', () => {
    expect(parseSchedule('mon-sat 08:00-17:00')).toEqual([{ days: [1, 2, 3, 4, 5, 6], start: '08:00', end: '17:00' }]);
    expect(parseSchedule('Sat,sun 10:00-14:00; fri 22:00-2:00')).toEqual([
      { days: [0, 6], start: '10:00', end: '14:00' },
      { days: [5], start: '22:00', end: '02:00' },
    ]);
    expect(parseSchedule('fri-mon 09:00-10:00')[0]!.days).toEqual([0, 1, 5, 6]);
    expect(formatSchedule(parseSchedule('mon-fri 08:00-17:00'))).toBe('mon,tue,wed,thu,fri 08:00-17:00');
  });

  it.each([['mon-sat 25:00-17:00', /not a time of day/], ['funday 08:00-09:00', /not a day/], ['mon 08:00-08:00', /same time/], ['08:00-17:00', /not a schedule window/]])('refuses %j', (input, message) => {
    expect(() => parseSchedule(input)).toThrow(message);
  });

  it('lets the time-zone database place the window (Asia/Almaty is UTC+5)', () => {
    expect(weekMinute(at('2026-11-25T03:00:00Z'), 'Asia/Almaty')).toBe(3 * 1440 + 8 * 60);
    const school = parseSchedule('mon-sat 08:00-17:00');
    expect(secondsLeftInSchedule(school, at('2026-11-25T02:59:00Z'), 'Asia/Almaty')).toBe(0);
    expect(secondsLeftInSchedule(school, at('2026-11-25T03:00:00Z'), 'Asia/Almaty')).toBe(9 * 3600);
    expect(secondsLeftInSchedule(school, at('2026-11-25T11:30:30Z'), 'Asia/Almaty')).toBe(30 * 60 - 30);
    expect(secondsLeftInSchedule(school, at('2026-11-25T12:00:00Z'), 'Asia/Almaty')).toBe(0);
    // The same instant in Europe/Moscow (UTC+3) is 06:00: still closed.
    expect(secondsLeftInSchedule(school, at('2026-11-25T03:00:00Z'), 'Europe/Moscow')).toBe(0);
    expect(secondsLeftInSchedule(school, at('2026-11-29T05:00:00Z'), 'Asia/Almaty')).toBe(0);
  });

  it('runs a window past midnight into the next day, and joins touching windows', () => {
    const night = parseSchedule('fri 22:00-02:00');
    expect(secondsLeftInSchedule(night, at('2026-11-27T18:00:00Z'), 'Asia/Almaty')).toBe(3 * 3600);
    expect(secondsLeftInSchedule(night, at('2026-11-27T20:30:00Z'), 'Asia/Almaty')).toBe(30 * 60);
    expect(secondsLeftInSchedule(night, at('2026-11-27T21:00:00Z'), 'Asia/Almaty')).toBe(0);
    const split = parseSchedule('wed 08:00-12:00; wed 12:00-17:00');
    expect(secondsLeftInSchedule(split, at('2026-11-25T05:00:00Z'), 'Asia/Almaty')).toBe(7 * 3600);
    expect(secondsLeftInSchedule(parseSchedule('mon-sun 00:00-23:59; mon-sun 23:59-00:00'), at('2026-11-25T05:00:00Z'), 'Asia/Almaty')).toBe(7 * 24 * 3600);
    expect(secondsLeftInSchedule(undefined, Date.now(), 'UTC')).toBeUndefined();
  });
});
