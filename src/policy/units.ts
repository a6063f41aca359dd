// Sizes and durations as admins type them. Suffixes are decimal, as network gear uses them:
// rates in bit/s ("512k" = 512,000), quotas in bytes ("2G" = 2,000,000,000).
import { ValidationError } from '../errors.js';

const SIZE_SUFFIX: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9, t: 1e12, T: 1e12 };
const DURATION_SUFFIX: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

function parseScaled(input: string, table: Record<string, number>, what: string, example: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]?)\s*$/.exec(input);
  const factor = match ? table[match[2] ?? ''] : undefined;
  if (!match || factor === undefined) throw new ValidationError(`"${input}" is not a valid ${what} (e.g. ${example})`);
  const value = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(value)) throw new ValidationError(`"${input}" is too large for a ${what}`);
  return value;
}

/** "5M" → 5,000,000 bit/s. */
export function parseRate(input: string): number {
  return parseScaled(input, SIZE_SUFFIX, 'rate (bit/s, with k/M/G)', '512k, 5M');
}

/** "2G" → 2,000,000,000 bytes. */
export function parseBytes(input: string): number {
  return parseScaled(input, SIZE_SUFFIX, 'size (bytes, with k/M/G/T)', '500M, 2G');
}

/** "15m" → 900 seconds. */
export function parseDuration(input: string): number {
  return parseScaled(input, DURATION_SUFFIX, 'duration (with s/m/h/d)', '90s, 15m, 8h, 7d');
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
