// Vouchers: printed codes a teacher hands out for a class visit, issued in batches with a note.
// A voucher admits up to `uses` devices; its time runs from its first use and ends at the
// latest when the batch's "valid until" passes. Redeeming is one Lua script (revoked, expired,
// count, add device, start the clock), so two devices cannot both take the last use.
import { randomBytes, randomInt } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import { NotFoundError, ValidationError } from '../errors.js';
import { keys } from './keys.js';
import { createLoginGuard } from './login-guard.js';
import { readHashes } from './read.js';
import { slug, text } from './validate.js';
import { defineScript, who, writeAll, type Actor, type WriteOp } from './write.js';

/** No 0/O, 1/I/L, 8/B: a code read aloud or copied off paper cannot be mistaken; typed in any case. */
const ALPHABET = 'ACDEFGHJKMNPQRSTUVWXYZ2345679';
const CODE_LENGTH = 10;
/** A batch is usable for at most this long, and by default this long. */
export const MAX_VALID_DAYS = 365;
export const DEFAULT_VALID_DAYS = 30;
/** Kept this long after "valid until" (for the list and the audit), then Redis deletes it. */
const KEEP_AFTER_MS = 30 * 86_400_000;

export interface Voucher {
  code: string;
  role: string;
  school?: string;
  duration: number;
  uses: number;
  used: number;
  batch: string;
  note?: string;
  validUntil?: string;
  revoked?: boolean;
  createdBy: string;
  createdAt: string;
  firstUsedAt?: string;
}

export interface VoucherBatch {
  id: string;
  role: string;
  school?: string;
  duration: number;
  uses: number;
  count: number;
  note: string;
  validUntil: string;
  createdBy: string;
  createdAt: string;
}

export type RedeemRefusal = 'unknown' | 'used-up' | 'expired' | 'revoked';
export type Redemption = { ok: true; voucher: Voucher; secondsLeft: number; endsAt: number } | { ok: false; reason: RedeemRefusal };

// KEYS: the voucher, its devices. ARGV: MAC, now (ms). Access ends at the earlier of first use +
// duration and the batch's "valid until"; the devices set lives as long as the voucher.
const REDEEM = `
local key, devices = KEYS[1], KEYS[2]
local mac, now = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', key) == 0 then return {'unknown'} end
if redis.call('HGET', key, 'revoked') == '1' then return {'revoked'} end
local first = tonumber(redis.call('HGET', key, 'firstUsedMs') or '0')
local duration = tonumber(redis.call('HGET', key, 'duration'))
local valid = tonumber(redis.call('HGET', key, 'validUntilMs') or '0')
if valid > 0 and now >= valid then return {'expired'} end
if first > 0 and now >= first + duration * 1000 then return {'expired'} end
if redis.call('SISMEMBER', devices, mac) == 0 then
  if tonumber(redis.call('HGET', key, 'used')) >= tonumber(redis.call('HGET', key, 'uses')) then return {'used-up'} end
  redis.call('HINCRBY', key, 'used', 1)
  redis.call('SADD', devices, mac)
  local ttl = redis.call('PTTL', key)
  if ttl > 0 then redis.call('PEXPIRE', devices, ttl) end
end
if first == 0 then
  first = now
  redis.call('HSET', key, 'firstUsedMs', now)
end
local ends = first + duration * 1000
if valid > 0 and valid < ends then ends = valid end
return {'ok', tostring(ends)}
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
  if (hash.note) voucher.note = hash.note;
  if (hash.validUntilMs) voucher.validUntil = new Date(Number(hash.validUntilMs)).toISOString();
  if (hash.revoked === '1') voucher.revoked = true;
  if (hash.firstUsedMs) voucher.firstUsedAt = new Date(Number(hash.firstUsedMs)).toISOString();
  return voucher;
}

function batchFromHash(hash: Record<string, string>): VoucherBatch | undefined {
  if (!hash.id) return undefined;
  return {
    id: hash.id, role: hash.role ?? 'guest', duration: Number(hash.duration), uses: Number(hash.uses), count: Number(hash.count),
    note: hash.note ?? '', validUntil: new Date(Number(hash.validUntilMs)).toISOString(), createdBy: hash.createdBy ?? '', createdAt: hash.createdAt ?? '',
    ...(hash.school ? { school: hash.school } : {}),
  };
}

interface Checks {
  requireSchool(id: string): Promise<unknown>;
  requireRole(name: string): Promise<unknown>;
}

export interface NewVouchers {
  role: string;
  school?: string;
  duration: number;
  uses: number;
  count: number;
  note?: string;
  /** Epoch ms; default DEFAULT_VALID_DAYS from now. */
  validUntil?: number;
}

export function createVoucherStore(redis: Redis, checks: Checks) {
  defineScript(redis, 'mkRedeemVoucher', REDEEM, 2);
  const codesOf = async (ids: string[]) => (await Promise.all(ids.map((id) => redis.smembers(keys.voucherBatchCodes(id))))).flat().sort();
  const read = async (codes: string[]) => (await readHashes(redis, codes.map((code) => keys.voucher(code)))).map(fromHash).filter((voucher): voucher is Voucher => voucher !== undefined);

  return {
    async create(input: NewVouchers, actor: Actor): Promise<Voucher[]> {
      const role = slug(input.role, 'role');
      await checks.requireRole(role);
      if (input.school) await checks.requireSchool(input.school);
      if (!Number.isInteger(input.count) || input.count < 1 || input.count > 1000) throw new ValidationError('the number of vouchers must be from 1 to 1000');
      if (!Number.isInteger(input.uses) || input.uses < 1 || input.uses > 1000) throw new ValidationError('uses per voucher must be from 1 to 1000');
      if (!Number.isInteger(input.duration) || input.duration < 60) throw new ValidationError('a voucher must last at least a minute');
      const now = Date.now();
      const validUntil = input.validUntil ?? now + DEFAULT_VALID_DAYS * 86_400_000;
      if (!Number.isFinite(validUntil) || validUntil <= now || validUntil > now + MAX_VALID_DAYS * 86_400_000) throw new ValidationError(`"valid until" must be in the next ${MAX_VALID_DAYS} days`);
      const note = input.note ? text(input.note, 'note') : '';
      const createdAt = new Date(now).toISOString();
      const batch: VoucherBatch = {
        id: `b-${randomBytes(6).toString('hex')}`, role, ...(input.school ? { school: input.school } : {}),
        duration: input.duration, uses: input.uses, count: input.count, note, validUntil: new Date(validUntil).toISOString(), createdBy: who(actor).actor, createdAt,
      };
      const vouchers: Voucher[] = Array.from({ length: input.count }, () => ({
        code: Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
        role, ...(input.school ? { school: input.school } : {}), duration: input.duration, uses: input.uses, used: 0,
        batch: batch.id, ...(note ? { note } : {}), validUntil: batch.validUntil, createdBy: batch.createdBy, createdAt,
      }));
      const expireAt = validUntil + KEEP_AFTER_MS;
      const stored = (entity: object) => Object.fromEntries(Object.entries(entity).filter(([field]) => field !== 'validUntil').map(([field, value]) => [field, String(value)]));
      const ops: WriteOp[] = [
        {
          key: keys.voucherBatch(batch.id), mode: 'create', set: { ...stored(batch), validUntilMs: String(validUntil) }, addTo: [[keys.voucherBatches, batch.id]], expireAt,
          audit: { ...who(actor), action: 'voucher.batch', target: batch.id, school: batch.school, detail: { role, count: input.count, duration: input.duration, uses: input.uses, note, validUntil: batch.validUntil } },
          change: { entity: 'voucher', id: batch.id },
        },
        ...vouchers.map((voucher): WriteOp => ({
          key: keys.voucher(voucher.code), mode: 'create', set: { ...stored(voucher), validUntilMs: String(validUntil) }, expireAt,
          addTo: [[keys.vouchers, voucher.code], [keys.voucherBatchCodes(batch.id), voucher.code]],
          audit: { ...who(actor), action: 'voucher.create', target: voucher.code, school: voucher.school, detail: { role, batch: batch.id } },
          change: { entity: 'voucher', id: voucher.code },
        })),
      ];
      // 29^10 codes: a collision is practically impossible, but never overwrite one.
      if ((await writeAll(redis, ops)).length > 0) throw new ValidationError('a generated code collided with an existing voucher; try again');
      // The code list lives as long as its batch.
      await redis.pexpireat(keys.voucherBatchCodes(batch.id), expireAt);
      return vouchers;
    },

    async get(code: string): Promise<Voucher | undefined> {
      return fromHash(await redis.hgetall(keys.voucher(normalizeVoucherCode(code))));
    },

    async list(): Promise<Voucher[]> {
      const codes = (await redis.smembers(keys.vouchers)).sort();
      const found = await read(codes);
      // Redis deleted the expired ones: drop their codes from the index too, so it stays bounded.
      const gone = codes.filter((code) => !found.some((voucher) => voucher.code === code));
      if (gone.length > 0) await redis.srem(keys.vouchers, ...gone);
      return found;
    },

    async batch(id: string): Promise<VoucherBatch | undefined> {
      return batchFromHash(await redis.hgetall(keys.voucherBatch(id)));
    },

    async batches(): Promise<VoucherBatch[]> {
      const ids = await redis.smembers(keys.voucherBatches);
      const found = (await readHashes(redis, ids.map((id) => keys.voucherBatch(id)))).map(batchFromHash).filter((batch): batch is VoucherBatch => batch !== undefined);
      const gone = ids.filter((id) => !found.some((batch) => batch.id === id));
      if (gone.length > 0) await redis.srem(keys.voucherBatches, ...gone);
      return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    async inBatch(id: string): Promise<Voucher[]> {
      return read(await codesOf([id]));
    },

    /** Marks the vouchers revoked (already revoked ones are left as they are); returns those it revoked. */
    async revoke(codes: string[], actor: Actor): Promise<Voucher[]> {
      const targets = (await read(codes.map(normalizeVoucherCode))).filter((voucher) => !voucher.revoked);
      if (targets.length === 0) return [];
      const failures = await writeAll(redis, targets.map((voucher): WriteOp => ({
        key: keys.voucher(voucher.code), mode: 'update', set: { revoked: '1', revokedAt: String(Date.now()) },
        audit: { ...who(actor), action: 'voucher.revoke', target: voucher.code, school: voucher.school, detail: { batch: voucher.batch, used: voucher.used } },
        change: { entity: 'voucher', id: voucher.code },
      })));
      if (failures.length > 0) throw new NotFoundError('a voucher was deleted while being revoked; try again');
      return targets.map((voucher) => ({ ...voucher, revoked: true }));
    },

    /** The devices (MACs) that have redeemed a voucher. */
    async devices(code: string): Promise<string[]> {
      return redis.smembers(keys.voucherDevices(normalizeVoucherCode(code)));
    },

    async redeem(input: string, mac: string, now = Date.now()): Promise<Redemption> {
      const code = normalizeVoucherCode(input);
      const [status, ends] = await redis.mkRedeemVoucher(keys.voucher(code), keys.voucherDevices(code), mac, String(now));
      if (status !== 'ok') return { ok: false, reason: status as RedeemRefusal };
      const voucher = fromHash(await redis.hgetall(keys.voucher(code)))!;
      const endsAt = Number(ends);
      return { ok: true, voucher, endsAt, secondsLeft: Math.max(1, Math.floor((endsAt - now) / 1000)) };
    },
  };
}

export type VoucherStore = ReturnType<typeof createVoucherStore>;

/** Wrong codes (ones that name no voucher) a device may type in the window, and an address (a school's NAT). */
export const GUESSES_PER_DEVICE = 10;
export const GUESSES_PER_ADDRESS = 100;
const GUESS_WINDOW_SECONDS = 15 * 60;

/**
 * Code guessing, counted like portal logins (login-guard.ts, whose scripts it uses): each try is
 * counted before the code is looked up, per device and per client address, and given back when
 * the code named a voucher; a subject past its limit is locked for the window.
 */
export function createVoucherGuessGuard(redis: Redis) {
  createLoginGuard(redis);
  const subjects = (mac: string, ip: string) => [
    { failures: keys.loginFailures('voucher-device', mac), lock: keys.loginLock('voucher-device', mac), max: GUESSES_PER_DEVICE },
    { failures: keys.loginFailures('voucher-ip', ip), lock: keys.loginLock('voucher-ip', ip), max: GUESSES_PER_ADDRESS },
  ];
  return {
    /** False when the device or the address is locked. */
    async attempt(mac: string, ip: string): Promise<boolean> {
      for (const subject of subjects(mac, ip)) {
        if ((await redis.mkLoginAttempt(2, subject.failures, subject.lock, String(subject.max), String(GUESS_WINDOW_SECONDS))) !== 0) return false;
      }
      return true;
    },
    async giveBack(mac: string, ip: string): Promise<void> {
      const counters = subjects(mac, ip).map((subject) => subject.failures);
      await redis.mkLoginGiveBack(counters.length, ...counters);
    },
  };
}

export type VoucherGuessGuard = ReturnType<typeof createVoucherGuessGuard>;
