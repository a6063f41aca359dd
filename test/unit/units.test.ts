import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate, parseBytes, parseDuration, parseRate } from '../../src/policy/units.js';

describe('sizes and durations as admins type them', () => {
  it.each([
    ['512k', 512_000],
    ['5M', 5_000_000],
    ['1.5M', 1_500_000],
    ['2G', 2_000_000_000],
    ['5Mbit/s', 5_000_000],
    ['1.5Mbit/s', 1_500_000],
    ['512kbps', 512_000],
    ['100bit/s', 100],
  ])('rate %s is %d bit/s (decimal, as network gear counts)', (input, expected) => {
    expect(parseRate(input)).toBe(expected);
  });

  it.each([['500M', 500_000_000], ['2G', 2_000_000_000], ['2GB', 2_000_000_000], ['1T', 1e12], ['999B', 999]])('size %s is %d bytes', (input, expected) => {
    expect(parseBytes(input)).toBe(expected);
  });

  it.each([['90s', 90], ['15m', 900], ['8h', 28_800], ['7d', 604_800], ['8h 15m', 29_700], ['1d 2h', 93_600]])('duration %s is %d seconds', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['-5G', '5X', '', 'M', '1e3', '5 M B'])('refuses %j with a message that shows an example', (input) => {
    expect(() => parseBytes(input)).toThrow(/not a valid size .*e\.g\./);
  });

  it.each([
    [parseDuration, '8', /"8" needs a unit: 8s, 8m, 8h or 8d/],
    [parseRate, '5', /"5" needs a unit: a rate is in bits per second, e\.g\. 5M/],
    [parseBytes, '2', /"2" needs a unit: a size is in bytes, e\.g\. 2G/],
  ])('refuses a bare number (%#: it silently meant seconds, bit/s or bytes)', (parse, input, message) => {
    expect(() => parse(input)).toThrow(message);
  });

  it('refuses a rate written in bytes', () => {
    expect(() => parseRate('5MB')).toThrow(/is in bytes; a rate is in bits per second/);
  });

  it('reads back everything it prints', () => {
    for (const value of [100, 512_000, 1_500_000, 5_000_000, 2e9]) expect(parseRate(formatRate(value))).toBe(value);
    for (const value of [999, 2_000_000_000, 40e9]) expect(parseBytes(formatBytes(value))).toBe(value);
    for (const value of [1, 90, 29_700, 604_800, 93_661]) expect(parseDuration(formatDuration(value))).toBe(value);
  });

  it('refuses a duration with a size suffix', () => {
    expect(() => parseDuration('5G')).toThrow(/not a valid duration/);
  });

  it('formats back into the short form', () => {
    expect(formatRate(5_000_000)).toBe('5Mbit/s');
    expect(formatRate(1_500_000)).toBe('1.5Mbit/s');
    expect(formatRate(512_000)).toBe('512kbit/s');
    expect(formatBytes(2_000_000_000)).toBe('2GB');
    expect(formatBytes(999)).toBe('999B');
    expect(formatDuration(29_700)).toBe('8h 15m');
    expect(formatDuration(0)).toBe('0s');
  });
});
