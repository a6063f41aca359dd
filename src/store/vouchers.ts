// Vouchers: printed codes a teacher hands out for a class visit. A voucher admits up to `uses`
// devices; its time runs from its first use. Redeeming is one Lua script (count, add device,
// start the clock), so two devices cannot both take the last use.
import { randomInt } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import { ValidationError } from '../errors.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { slug } from './validate.js';
import { defineScript, who, writeAll, type Actor } from './write.js';

const ALPHABET = 'ACDEFGHJKLMNPQRSTUVWXYZ2345679';
const CODE_LENGTH = 10;

export interface Voucher {
  code: string;
  role: string;
  school?: string;
  duration: number;
  uses: number;
  used: number;
  batch: string;
  createdBy: string;
  createdAt: string;
  firstUsedAt?: string;
}

export type Redemption = { ok: true; voucher: Voucher; secondsLeft: number } | { ok: false; reason: 'unknown' | 'used-up' | 'expired' };

const REDEEM = `
local key, devices = KEYS[1], KEYS[2]
local mac, now = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', key) == 0 then return {'unknown'} end
local first = tonumber(redis.call('HGET', key, 'firstUsedMs') or '0')
local duration = tonumber(redis.call('HGET', key, 'duration'))
if first > 0 and now >= first + duration * 1000 then return {'expired'} end
if redis.call('SISMEMBER', devices, mac) == 0 then
  if tonumber(redis.call('HGET', key, 'used')) >= tonumber(redis.call('HGET', key, 'uses')) then return {'used-up'} end
  redis.call('HINCRBY', key, 'used', 1)
  redis.call('SADD', devices, mac)
end
if first == 0 then
  first = now
  redis.call('HSET', key, 'firstUsedMs', now)
end
return {'ok', tostring(first)}
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkRedeemVoucher(key: string, devices: string, mac: string, now: string): Result<string[], Context>;
  }
}

export function normalizeVoucherCode(input: string): string {
  return input.trim().toUpperCase().replace(/[\s-]/g, '');
}

function fromHash(hash: Record<string, string>): Voucher | undefined {
  if (!hash.code) return undefined;
  const voucher: Voucher = {
    code: hash.code,
    role: hash.role ?? 'guest',
    duration: Number(hash.duration),
    uses: Number(hash.uses),
    used: Number(hash.used ?? 0),
    batch: hash.batch ?? '',
    createdBy: hash.createdBy ?? '',
    createdAt: hash.createdAt ?? '',
  };
  if (hash.school) voucher.school = hash.school;
  if (hash.firstUsedMs) voucher.firstUsedAt = new Date(Number(hash.firstUsedMs)).toISOString();
  return voucher;
}

interface Checks {
  requireSchool(id: string): Promise<unknown>;
  requireRole(name: string): Promise<unknown>;
}

export function createVoucherStore(redis: Redis, checks: Checks) {
  defineScript(redis, 'mkRedeemVoucher', REDEEM, 2);

  return {
    async create(input: { role: string; school?: string; duration: number; uses: number; count: number }, actor: Actor): Promise<Voucher[]> {
      const role = slug(input.role, 'role');
      await checks.requireRole(role);
      if (input.school) await checks.requireSchool(input.school);
      if (!Number.isInteger(input.count) || input.count < 1 || input.count > 1000) throw new ValidationError('the number of vouchers must be from 1 to 1000');
      if (!Number.isInteger(input.uses) || input.uses < 1 || input.uses > 1000) throw new ValidationError('uses per voucher must be from 1 to 1000');
      if (!Number.isInteger(input.duration) || input.duration < 60) throw new ValidationError('a voucher must last at least a minute');
      const batch = new Date().toISOString();
      const vouchers: Voucher[] = Array.from({ length: input.count }, () => ({
        code: Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
        role,
        ...(input.school ? { school: input.school } : {}),
        duration: input.duration,
        uses: input.uses,
        used: 0,
        batch,
        createdBy: who(actor).actor,
        createdAt: batch,
      }));
      const failures = await writeAll(redis, vouchers.map((voucher) => ({
        key: keys.voucher(voucher.code),
        mode: 'create' as const,
        set: Object.fromEntries(Object.entries(voucher).map(([field, value]) => [field, String(value)])),
        addTo: [[keys.vouchers, voucher.code]] as [string, string][],
        audit: { ...who(actor), action: 'voucher.create', target: voucher.code, school: voucher.school, detail: { role, batch } },
        change: { entity: 'voucher' as const, id: voucher.code },
      })));
      // 30^10 codes: a collision is practically impossible, but never overwrite one.
      if (failures.length > 0) throw new ValidationError('a generated code collided with an existing voucher; try again');
      return vouchers;
    },

    async get(code: string): Promise<Voucher | undefined> {
      return fromHash(await redis.hgetall(keys.voucher(normalizeVoucherCode(code))));
    },

    async list(): Promise<Voucher[]> {
      const codes = (await redis.smembers(keys.vouchers)).sort();
      return (await readHashes(redis, codes.map((code) => keys.voucher(code)))).map(fromHash).filter((voucher): voucher is Voucher => voucher !== undefined);
    },

    async redeem(input: string, mac: string, now = Date.now()): Promise<Redemption> {
      const code = normalizeVoucherCode(input);
      const [status, first] = await redis.mkRedeemVoucher(keys.voucher(code), keys.voucherDevices(code), mac, String(now));
      if (status !== 'ok') return { ok: false, reason: status as 'unknown' | 'used-up' | 'expired' };
      const voucher = fromHash(await redis.hgetall(keys.voucher(code)))!;
      return { ok: true, voucher, secondsLeft: Math.max(1, Math.floor((Number(first) + voucher.duration * 1000 - now) / 1000)) };
    },
  };
}

export type VoucherStore = ReturnType<typeof createVoucherStore>;
