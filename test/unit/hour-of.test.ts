// hourOf (store/stats.ts) remembers the last hour it worked out: every accounting record and
// login of an hour asks for the same text. Whatever order moments come in, it answers as the
// plain ISO text would.
import { describe, expect, it } from 'vitest';
import { HOUR_MS, hourOf } from '../../src/store/stats.js';

const plain = (at: number) => new Date(at).toISOString().slice(0, 13);

describe('hourOf', () => {
  it('names the UTC hour of each moment, at the boundaries and out of order', () => {
    const ten = Date.parse('2026-12-01T10:00:00Z');
    const moments = [ten, ten - 1, ten + HOUR_MS - 1, ten + HOUR_MS, ten - 1, ten, Date.parse('2026-12-31T23:59:59.999Z'), Date.parse('2027-01-01T00:00:00Z'), 0, -1, -0.5, -1, ten + 0.5, ten - 0.5];
    for (const at of moments) expect(hourOf(at), String(at)).toBe(plain(at));
  });

  it('still refuses a moment that is no time', () => {
    expect(() => hourOf(Number.NaN)).toThrow(RangeError);
    expect(hourOf(Date.parse('2026-12-01T10:30:00Z'))).toBe('2026-12-01T10');
  });
});
