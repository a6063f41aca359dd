// Checks shared by the entity modules; each throws a ValidationError a person can act on.
import { ValidationError } from '../errors.js';

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function slug(value: string, what: string): string {
  const trimmed = value.trim();
  if (!SLUG.test(trimmed)) {
    throw new ValidationError(`${what} "${value}" must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit`);
  }
  return trimmed;
}

export function text(value: string, what: string, max = 200): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max || /\p{Cc}/u.test(trimmed)) {
    throw new ValidationError(`${what} must be 1-${max} printable characters`);
  }
  return trimmed;
}

export function timezone(value: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError(`"${value}" is not a known time zone (use an IANA name such as Asia/Almaty)`);
  }
}

export function port(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ValidationError(`${what} must be a whole number from 1 to 65535`);
  return value;
}

/** "2027-06-30" or a full ISO time → epoch ms; a bare date means the end of that day (UTC). */
export function expiry(value: string): number {
  const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = Date.parse(bareDate ? `${value}T23:59:59Z` : value);
  if (Number.isNaN(time)) throw new ValidationError(`"${value}" is not a date (use YYYY-MM-DD or an ISO 8601 time)`);
  return time;
}

export function httpUrl(value: string, what: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) throw new ValidationError(`${what} must be an http(s) URL`);
  return value;
}
