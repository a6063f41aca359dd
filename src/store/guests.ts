// Guest requests (docs/guests.md): a visitor's device asks a teacher for access. Keyed by the
// device (MAC + the NAS it came through), so a closed captive browser loses nothing. Asking and
// deciding are Lua scripts: at most one pending request per device, the rate limits and the
// denied pause checked and counted in the same step as the write. The request, with the guest's
// name and contact, expires by itself `retentionDays` after it ended (privacy): nothing else
// keeps them. The audit entries never carry the contact details.
import { randomInt } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { scanKeys } from './forget-steps.js';
import { readHashes } from './read.js';
import { auditFields, defineScript, type Actor, who } from './write.js';

export type GuestState = 'pending' | 'approved' | 'denied' | 'expired';

export interface GuestRequest {
  id: string;
  mac: string;
  nas: string;
  school: string;
  /** The teacher's console account. */
  sponsor: string;
  name: string;
  contact?: string;
  reason?: string;
  state: GuestState;
  createdAt: string;
  /** When a pending request stops waiting. */
  expiresAt: string;
  decidedAt?: string;
  decidedBy?: string;
  /** The end of an approval. */
  until?: string;
  denyReason?: string;
}

/** What a guest gives when asking: the request before Mektep adds its id, state and times. */
export type GuestAsk = Pick<GuestRequest, 'mac' | 'nas' | 'school' | 'sponsor' | 'name' | 'contact' | 'reason'>;

export interface GuestLimits {
  pendingMs: number;
  devicePerHour: number;
  schoolPerHour: number;
  retentionMs: number;
}

export type AskOutcome = { ok: true; request: GuestRequest } | { ok: false; refused: 'already-pending'; id: string } | { ok: false; refused: 'denied-recently' | 'device-rate' | 'school-rate' };

// Short, read aloud or typed by a teacher: no 0/O, 1/I/L.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 6;
const HOUR_MS = 3_600_000;
/** Longer than any request lives before it ends (a day's wait, then a fortnight's approval). */
const MAX_LIFE_MS = 16 * 24 * HOUR_MS;

export function newRequestCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

// KEYS: request, device's pending, device's denied pause, device counter, school counter, school
// index, audit. ARGV: fields (JSON), pending ms, now ms, device limit, school limit, hour ms,
// expire-at ms, id, audit fields (JSON), audit length, the index's cut-off (older entries can
// no longer have a request: the index stays as small as the retention).
const ASK = `
local pending = redis.call('GET', KEYS[2])
if pending then return {'already-pending', pending} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'denied-recently'} end
if redis.call('EXISTS', KEYS[1]) == 1 then return {'code-taken'} end
local device = tonumber(redis.call('GET', KEYS[4]) or '0')
if device >= tonumber(ARGV[4]) then return {'device-rate'} end
local school = tonumber(redis.call('GET', KEYS[5]) or '0')
if school >= tonumber(ARGV[5]) then return {'school-rate'} end
for i, key in ipairs({KEYS[4], KEYS[5]}) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[6]) end
end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[1])))
redis.call('PEXPIREAT', KEYS[1], ARGV[7])
redis.call('SET', KEYS[2], ARGV[8], 'PX', ARGV[2])
redis.call('ZADD', KEYS[6], ARGV[3], ARGV[8])
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', ARGV[11])
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[10], '*', unpack(cjson.decode(ARGV[9])))
return {'ok'}
`;

// KEYS: request, device's pending, device's denied pause, approved index, audit, device's approved
// request. ARGV: state,
// now ms, fields (JSON), pause ms, id, expire-at ms, until ms, audit fields (JSON), audit length.
// Only a request still pending and not yet run out can be decided, and only once.
const DECIDE = `
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 'not-pending' end
if tonumber(redis.call('HGET', KEYS[1], 'expiresMs')) <= tonumber(ARGV[2]) then return 'not-pending' end
redis.call('HSET', KEYS[1], 'state', ARGV[1], unpack(cjson.decode(ARGV[3])))
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
if redis.call('GET', KEYS[2]) == ARGV[5] then redis.call('DEL', KEYS[2]) end
if ARGV[1] == 'denied' and tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4]) end
if ARGV[1] == 'approved' then
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[5])
  redis.call('SET', KEYS[6], ARGV[5], 'PXAT', ARGV[7])
end
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[9], '*', unpack(cjson.decode(ARGV[8])))
return 'ok'
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkGuestAsk(numKeys: number, ...args: string[]): Result<string[], Context>;
    mkGuestDecide(numKeys: number, ...args: string[]): Result<string, Context>;
  }
}

function fromHash(hash: Record<string, string>, now: number): GuestRequest | undefined {
  if (!hash.id || !hash.mac || !hash.school) return undefined;
  const stored = hash.state as GuestState;
  const state: GuestState = stored === 'pending' && Number(hash.expiresMs) <= now ? 'expired' : stored;
  const request: GuestRequest = {
    id: hash.id, mac: hash.mac, nas: hash.nas ?? '', school: hash.school, sponsor: hash.sponsor ?? '', name: hash.name ?? '',
    state, createdAt: hash.createdAt ?? '', expiresAt: new Date(Number(hash.expiresMs)).toISOString(),
  };
  for (const field of ['contact', 'reason', 'decidedAt', 'decidedBy', 'until', 'denyReason'] as const) if (hash[field]) request[field] = hash[field];
  return request;
}

export function createGuestStore(redis: Redis, now: () => number = Date.now) {
  defineScript(redis, 'mkGuestAsk', ASK);
  defineScript(redis, 'mkGuestDecide', DECIDE);

  async function get(id: string): Promise<GuestRequest | undefined> {
    return fromHash(await redis.hgetall(keys.guestRequest(id.toUpperCase())), now());
  }

  return {
    get,

    /** A new pending request, or why not (the device's pending one, a pause, a rate limit). */
    async ask(input: GuestAsk, limits: GuestLimits, actor: Actor): Promise<AskOutcome> {
      const at = now();
      for (;;) {
        const id = newRequestCode();
        const expiresMs = at + limits.pendingMs;
        const fields: Record<string, string> = {
          id, mac: input.mac, nas: input.nas, school: input.school, sponsor: input.sponsor, name: input.name, state: 'pending',
          createdAt: new Date(at).toISOString(), expiresMs: String(expiresMs),
          ...(input.contact ? { contact: input.contact } : {}), ...(input.reason ? { reason: input.reason } : {}),
        };
        const audit = auditFields({ ...who(actor), action: 'guest.ask', target: id, school: input.school, detail: { sponsor: input.sponsor, nas: input.nas } });
        const keyList = [
          keys.guestRequest(id), keys.guestPending(input.mac, input.nas), keys.guestDenied(input.mac), keys.guestAsked('device', input.mac),
          keys.guestAsked('school', input.school), keys.guestsOfSchool(input.school), keys.audit,
        ];
        const [outcome, pending] = await redis.mkGuestAsk(
          keyList.length, ...keyList, JSON.stringify(Object.entries(fields).flat()), String(limits.pendingMs), String(at), String(limits.devicePerHour),
          String(limits.schoolPerHour), String(HOUR_MS), String(expiresMs + limits.retentionMs), id, JSON.stringify(audit), String(AUDIT_MAX_ENTRIES),
          String(at - limits.retentionMs - MAX_LIFE_MS),
        );
        if (outcome === 'code-taken') continue;
        if (outcome === 'ok') return { ok: true, request: fromHash(fields, at)! };
        if (outcome === 'already-pending') return { ok: false, refused: 'already-pending', id: pending! };
        return { ok: false, refused: outcome as 'denied-recently' | 'device-rate' | 'school-rate' };
      }
    },

    /** Approves until `until` or denies; false when the request is no longer pending. */
    async decide(request: GuestRequest, decision: { state: 'approved'; until: number } | { state: 'denied'; reason?: string; pauseMs: number }, retentionMs: number, actor: Actor): Promise<boolean> {
      const at = now();
      const until = decision.state === 'approved' ? decision.until : at;
      const fields: Record<string, string> = {
        decidedAt: new Date(at).toISOString(), decidedBy: who(actor).actor,
        ...(decision.state === 'approved' ? { until: new Date(decision.until).toISOString() } : {}),
        ...(decision.state === 'denied' && decision.reason ? { denyReason: decision.reason } : {}),
      };
      // The teacher's reason is for the guest: the audit keeps the decision, not the words.
      const detail = { mac: request.mac, sponsor: request.sponsor, ...(decision.state === 'approved' ? { until: fields.until } : {}) };
      const audit = auditFields({ ...who(actor), action: decision.state === 'approved' ? 'guest.approve' : 'guest.deny', target: request.id, school: request.school, detail });
      const keyList = [
        keys.guestRequest(request.id), keys.guestPending(request.mac, request.nas), keys.guestDenied(request.mac), keys.guestsApproved, keys.audit,
        keys.guestApprovedOf(request.mac, request.nas),
      ];
      const outcome = await redis.mkGuestDecide(
        keyList.length, ...keyList, decision.state, String(at), JSON.stringify(Object.entries(fields).flat()),
        String(decision.state === 'denied' ? decision.pauseMs : 0), request.id, String(until + retentionMs), String(until), JSON.stringify(audit), String(AUDIT_MAX_ENTRIES),
      );
      return outcome === 'ok';
    },

    /** The device's approval at this NAS that has not ended, if any. */
    async approvedFor(mac: string, nas: string): Promise<string | undefined> {
      return (await redis.get(keys.guestApprovedOf(mac, nas))) ?? undefined;
    },

    /** A school's requests, newest first; ids whose request has been deleted are dropped from the index. */
    async list(school: string): Promise<GuestRequest[]> {
      const ids = await redis.zrevrange(keys.guestsOfSchool(school), 0, -1);
      const rows = await readHashes(redis, ids.map((id) => keys.guestRequest(id)));
      const gone = ids.filter((_id, index) => !rows[index]?.id);
      if (gone.length > 0) await redis.zrem(keys.guestsOfSchool(school), ...gone);
      return rows.map((hash) => fromHash(hash, now())).filter((request): request is GuestRequest => request !== undefined);
    },

    /** Approvals that have ended by now (the sweep disconnects and forgets them). */
    async endedApprovals(): Promise<string[]> {
      return redis.zrangebyscore(keys.guestsApproved, '-inf', String(now()), 'LIMIT', 0, 500);
    },

    async dropEnded(id: string): Promise<void> {
      await redis.zrem(keys.guestsApproved, id);
    },
  };
}

export type GuestStore = ReturnType<typeof createGuestStore>;

/** `user forget`: guest requests made from the person's devices (with the name and contact given), their indexes and the devices' counters; returns how many requests. */
export async function forgetGuestDevices(redis: Redis, macs: ReadonlySet<string>): Promise<number> {
  let forgotten = 0;
  for await (const found of scanKeys(redis, keys.guestRequest('*'), 'hash')) {
    for (const key of found) {
      const [id, mac, nas, school] = await redis.hmget(key, 'id', 'mac', 'nas', 'school');
      if (!id || !mac || !macs.has(mac)) continue;
      const remove = redis.multi().del(key).zrem(keys.guestsApproved, id);
      if (school) remove.zrem(keys.guestsOfSchool(school), id);
      // The device's pointers may already name a later request of someone else's: only this one's go.
      for (const pointer of nas ? [keys.guestPending(mac, nas), keys.guestApprovedOf(mac, nas)] : []) if ((await redis.get(pointer)) === id) remove.del(pointer);
      await remove.exec();
      forgotten++;
    }
  }
  if (macs.size > 0) await redis.del(...[...macs].flatMap((mac) => [keys.guestDenied(mac), keys.guestAsked('device', mac)]));
  return forgotten;
}
