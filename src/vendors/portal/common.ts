// Reading redirect parameters the same way for every vendor.
import { isIP } from 'node:net';
import { ValidationError } from '../../errors.js';
import { parseMac } from '../../store/mac.js';
import { httpUrl } from '../../portal/urls.js';
import type { Query } from './types.js';

export function need(query: Query, name: string): string {
  const value = query[name];
  if (!value) throw new ValidationError(`the access point did not send "${name}"`);
  return value;
}

export function mac(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = parseMac(value);
  if (!parsed) throw new ValidationError(`"${value}" is not a MAC address`);
  return parsed;
}

export function ip(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (isIP(value) === 0) throw new ValidationError(`"${value}" is not an IP address`);
  return value;
}

export function url(value: string | undefined, what: string): string {
  const parsed = httpUrl(value);
  if (!parsed) throw new ValidationError(`${what} is not an http(s) URL`);
  return parsed;
}

export function hex(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^([0-9a-f]{2}){1,64}$/i.test(value)) throw new ValidationError(`${what} is not hexadecimal`);
  return value.toLowerCase();
}

/** Drops undefined values so contexts stay small. */
export function compact<T extends object>(value: T): T {
  // A plain loop (no arrays of entries): it runs on every landing page. `value` is an object literal.
  const source = value as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const name in source) {
    const item = source[name];
    if (item !== undefined && item !== '') kept[name] = item;
  }
  return kept as T;
}

/** Form fields without the empty ones. */
export function formFields(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}
