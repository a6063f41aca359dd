// Sizes and durations as admins type them, always with a unit, and as this module prints them.
// Suffixes are decimal, as network gear uses them: rates in bit/s ("512k" = 512,000), quotas in
// bytes ("2G" = 2,000,000,000).
import { ValidationError } from '../errors.js';

const SCALE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9, t: 1e12, T: 1e12 };
const DURATION_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const BARE = /^\s*\d+(?:\.\d+)?\s*$/;
const RATE = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(bit\/s|bps|b\/s)?\s*$/;
const RATE_IN_BYTES = /^\s*\d+(?:\.\d+)?\s*[kKmMgGtT]?B(?:\/s|ps)?\s*$/;
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(B)?\s*$/;
const DURATION = /^(?:\s*\d+(?:\.\d+)?\s*[smhd]\s*)+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)\s*([smhd])/g;

function invalid(input: string, what: string, example: string): never {
  throw new ValidationError(`"${input}" is not a valid ${what} (e.g. ${example})`);
}

function whole(value: number, input: string, what: string): number {
  const rounded = Math.round(value);
  if (!Number.isSafeInteger(rounded)) throw new ValidationError(`"${input}" is too large for a ${what}`);
  return rounded;
}

// A bare number meant 8 seconds, 5 bit/s or 2 bytes — never what an admin typing "8", "5" or
// "2" had in mind — so every value needs its unit.
function needsUnit(input: string, hint: string): never {
  throw new ValidationError(`"${input.trim()}" needs a unit: ${hint}`);
}

/** "5M", "5Mbit/s", "512k", "512kbps" → bit/s (as `formatRate` prints it, too). */
export function parseRate(input: string): number {
  if (BARE.test(input)) needsUnit(input, `a rate is in bits per second, e.g. ${input.trim()}M (Mbit/s) or ${input.trim()}k (kbit/s)`);
  if (RATE_IN_BYTES.test(input)) throw new ValidationError(`"${input}" is in bytes; a rate is in bits per second (e.g. 5M or 5Mbit/s)`);
  const match = RATE.exec(input);
  if (!match || (!match[2] && !match[3])) invalid(input, 'rate (bit/s, with k/M/G)', '512k, 5M, 5Mbit/s');
  return whole(Number(match[1]) * SCALE[match[2]!]!, input, 'rate');
}

/** "2G", "2GB", "500M", "999B" → bytes (as `formatBytes` prints it, too). */
export function parseBytes(input: string): number {
  if (BARE.test(input)) needsUnit(input, `a size is in bytes, e.g. ${input.trim()}G (GB) or ${input.trim()}M (MB)`);
  const match = SIZE.exec(input);
  if (!match || (!match[2] && !match[3])) invalid(input, 'size (bytes, with k/M/G/T)', '500M, 2G, 2GB');
  return whole(Number(match[1]) * SCALE[match[2]!]!, input, 'size');
}

/** "15m" → 900 seconds; several parts as `formatDuration` prints them: "8h 15m". */
export function parseDuration(input: string): number {
  if (BARE.test(input)) needsUnit(input, `${input.trim()}s, ${input.trim()}m, ${input.trim()}h or ${input.trim()}d`);
  if (!DURATION.test(input)) invalid(input, 'duration (with s/m/h/d)', '90s, 15m, 8h, 7d, 8h 15m');
  let seconds = 0;
  for (const part of input.matchAll(DURATION_PART)) seconds += Number(part[1]) * DURATION_UNIT[part[2]!]!;
  return whole(seconds, input, 'duration');
}

function formatScaled(value: number, steps: [number, string][], unit: string): string {
  for (const [factor, suffix] of steps) {
    if (value >= factor && value % (factor / 1000) === 0) {
      const scaled = value / factor;
      return `${Number.isInteger(scaled) ? scaled : scaled.toFixed(3).replace(/0+$/, '')}${suffix}${unit}`;
    }
  }
  return `${value}${unit}`;
}

const DECIMAL_STEPS: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

export function formatRate(bitsPerSecond: number): string {
  return formatScaled(bitsPerSecond, DECIMAL_STEPS, 'bit/s');
}

export function formatBytes(bytes: number): string {
  return formatScaled(bytes, DECIMAL_STEPS, 'B');
}

export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, suffix] of [[86_400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${suffix}`);
      rest %= size;
    }
  }
  return parts.length ? parts.join(' ') : '0s';
}
