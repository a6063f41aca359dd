import { describe, expect, it } from 'vitest';
import { usagePeriods } from '../../src/policy/periods.js';

describe('quota periods', () => {
  it('count days and months in the school\'s calendar, not the server\'s', () => {
    // 19:30 UTC on 30 November is already 00:30 on 1 December in Asia/Almaty (UTC+5).
    const instant = Date.parse('2026-11-30T19:30:00Z');
    expect(usagePeriods(instant, 'Asia/Almaty')).toEqual({ day: '2026-12-01', month: '2026-12' });
    expect(usagePeriods(instant, 'UTC')).toEqual({ day: '2026-11-30', month: '2026-11' });
    expect(usagePeriods(Date.parse('2026-11-30T18:59:59Z'), 'Asia/Almaty')).toEqual({ day: '2026-11-30', month: '2026-11' });
  });
});
