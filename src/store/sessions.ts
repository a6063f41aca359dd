// The live session table, kept from RADIUS accounting. A session is identified by its NAS and
// Acct-Session-Id and indexed by user, school, MAC, NAS and IP (scoped by NAS: private
// addresses repeat from school to school). Every update is one Lua script, idempotent: octet
// counters are the NAS's running totals, so a repeated Interim-Update changes nothing.
import type { ClientContext, Redis, Result } from 'ioredis';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { defineScript } from './write.js';
import type { UsagePeriods } from '../policy/periods.js';

/** How long a session with no news is kept (a NAS that reboots without Accounting-Off). */
export const SESSION_TTL_SECONDS = 24 * 3600;
const LOG_MAX_ENTRIES = 200_000;

export interface AccountingRecord {
  nas: string;
  /** Where the NAS's packets come from: CoA and Disconnect go back there. */
  nasIp?: string;
  /** NAS-IP-Address as the NAS reported it (identifies the session in a Disconnect). */
  nasIpAddress?: string;
  /** Calling-Station-Id exactly as the NAS wrote it, to name the session back to it. */
  callingStationId?: string;
  sessionId: string;
  status: 'start' | 'interim' | 'stop';
  user?: string;
  role?: string;
  school?: string;
  mac?: string;
  ip?: string;
  nasPort?: number;
  inOctets: number;
  outOctets: number;
  sessionTime?: number;
  terminateCause?: string;
  /** The school-calendar day and month whose usage this record adds to (with a user). */
  periods?: UsagePeriods;
}

export interface Usage {
  today: number;
  month: number;
}

export interface Session {
  id: string;
  nas: string;
  nasIp?: string;
  nasIpAddress?: string;
  callingStationId?: string;
  sessionId: string;
  user?: string;
  role?: string;
  school?: string;
  mac?: string;
  ip?: string;
  startedAt: string;
  updatedAt: string;
  inOctets: number;
  outOctets: number;
}

// KEYS: session hash, all-sessions set, session log stream. ARGV: status, now, ttl, log size,
// session id, JSON of fields, JSON of index sets, ip key, day and month usage keys ('' = none),
// the NAS-independent ip key.
// Returns the usage of the day and month after this record.
const RECORD = `
local key, all, log = KEYS[1], KEYS[2], KEYS[3]
local status, now, ttl, logMax, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local dayKey, monthKey = ARGV[9], ARGV[10]
local fields = cjson.decode(ARGV[6])
-- Usage grows by what the NAS's running totals moved since the last record of this session.
local before = tonumber(redis.call('HGET', key, 'inOctets') or '0') + tonumber(redis.call('HGET', key, 'outOctets') or '0')
local delta = fields.inOctets + fields.outOctets - before
if delta < 0 then delta = 0 end
local usage = {'0', '0'}
if dayKey ~= '' then
  usage[1] = tostring(redis.call('INCRBY', dayKey, delta))
  redis.call('EXPIRE', dayKey, 3 * 86400)
  usage[2] = tostring(redis.call('INCRBY', monthKey, delta))
  redis.call('EXPIRE', monthKey, 40 * 86400)
end
local function forget()
  local indexes = redis.call('HGET', key, 'indexes')
  if indexes then
    for _, set in ipairs(cjson.decode(indexes)) do redis.call('SREM', set, id) end
  end
  for _, field in ipairs({'ipKey', 'ipAnyKey'}) do
    local ipKey = redis.call('HGET', key, field)
    if ipKey and ipKey ~= '' and redis.call('GET', ipKey) == id then redis.call('DEL', ipKey) end
  end
  redis.call('SREM', all, id)
  redis.call('DEL', key)
end
if status == 'stop' then
  if redis.call('EXISTS', key) == 1 then
    local user = redis.call('HGET', key, 'user') or ''
    redis.call('XADD', log, 'MAXLEN', '~', logMax, '*', 'id', id, 'user', user,
      'in', fields.inOctets, 'out', fields.outOctets, 'started', redis.call('HGET', key, 'startedAt'), 'cause', fields.terminateCause or '')
    forget()
  end
  return usage
end
-- Interim-Update of a known session at the same address: only the counters move.
if status == 'interim' and redis.call('HGET', key, 'ipKey') == ARGV[8] then
  redis.call('HSET', key, 'inOctets', fields.inOctets, 'outOctets', fields.outOctets, 'updatedAt', now)
  if fields.sessionTime then redis.call('HSET', key, 'sessionTime', fields.sessionTime) end
  redis.call('EXPIRE', key, ttl)
  if ARGV[8] ~= '' then
    redis.call('EXPIRE', ARGV[8], ttl)
    redis.call('SET', ARGV[11], id, 'EX', ttl)
  end
  return usage
end
for name, value in pairs(fields) do redis.call('HSET', key, name, value) end
redis.call('HSETNX', key, 'startedAt', now)
redis.call('HSET', key, 'updatedAt', now, 'indexes', ARGV[7], 'ipKey', ARGV[8], 'ipAnyKey', ARGV[11])
for _, set in ipairs(cjson.decode(ARGV[7])) do redis.call('SADD', set, id) end
if ARGV[8] ~= '' then
  redis.call('SET', ARGV[8], id, 'EX', ttl)
  redis.call('SET', ARGV[11], id, 'EX', ttl)
end
redis.call('SADD', all, id)
redis.call('EXPIRE', key, ttl)
return usage
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkAccounting(key: string, all: string, log: string, ...args: string[]): Result<string[], Context>;
  }
}

export function sessionKeyId(nas: string, sessionId: string): string {
  return `${nas}|${sessionId}`;
}

function fromHash(hash: Record<string, string>): Session | undefined {
  if (!hash.nas || !hash.sessionId) return undefined;
  const session: Session = {
    id: sessionKeyId(hash.nas, hash.sessionId),
    nas: hash.nas,
    sessionId: hash.sessionId,
    startedAt: new Date(Number(hash.startedAt)).toISOString(),
    updatedAt: new Date(Number(hash.updatedAt)).toISOString(),
    inOctets: Number(hash.inOctets ?? 0),
    outOctets: Number(hash.outOctets ?? 0),
  };
  for (const field of ['user', 'role', 'school', 'mac', 'ip', 'nasIp', 'nasIpAddress', 'callingStationId'] as const) if (hash[field]) session[field] = hash[field];
  return session;
}

export function createSessionStore(redis: Redis) {
  defineScript(redis, 'mkAccounting', RECORD, 3);

  async function record(entry: AccountingRecord, now = Date.now()): Promise<Usage> {
    const id = sessionKeyId(entry.nas, entry.sessionId);
    const fields: Record<string, string | number> = { nas: entry.nas, sessionId: entry.sessionId, inOctets: entry.inOctets, outOctets: entry.outOctets };
    for (const field of ['user', 'role', 'school', 'mac', 'ip', 'nasIp', 'nasIpAddress', 'callingStationId', 'nasPort', 'sessionTime', 'terminateCause'] as const) {
      if (entry[field] !== undefined && entry[field] !== '') fields[field] = entry[field];
    }
    const indexes = [keys.sessionsOfNas(entry.nas)];
    if (entry.user) indexes.push(keys.sessionsOfUser(entry.user));
    if (entry.school) indexes.push(keys.sessionsOfSchool(entry.school));
    if (entry.mac) indexes.push(keys.sessionsOfMac(entry.mac));
    const counted = entry.user && entry.periods;
    const [today = '0', month = '0'] = await redis.mkAccounting(
      keys.session(id), keys.sessions, keys.sessionLog,
      entry.status, String(now), String(SESSION_TTL_SECONDS), String(LOG_MAX_ENTRIES), id,
      JSON.stringify(fields), JSON.stringify(indexes), entry.ip ? keys.sessionByIp(entry.nas, entry.ip) : '',
      counted ? keys.usage(entry.user!, entry.periods!.day) : '', counted ? keys.usage(entry.user!, entry.periods!.month) : '',
      entry.ip ? keys.sessionByIpAny(entry.ip) : '',
    );
    return { today: Number(today), month: Number(month) };
  }

  async function sessionsIn(setKey: string): Promise<Session[]> {
    const ids = (await redis.smembers(setKey)).sort();
    const rows = await readHashes(redis, ids.map((id) => keys.session(id)));
    return rows.map(fromHash).filter((session): session is Session => session !== undefined);
  }

  return {
    record,

    async usage(username: string, periods: UsagePeriods): Promise<Usage> {
      const [today, month] = await redis.mget(keys.usage(username, periods.day), keys.usage(username, periods.month));
      return { today: Number(today ?? 0), month: Number(month ?? 0) };
    },

    /** Accounting-On/Off: the NAS restarted, so every session it had is over. */
    async closeAllOfNas(nas: string, cause: string, now = Date.now()): Promise<number> {
      const sessions = await sessionsIn(keys.sessionsOfNas(nas));
      for (const session of sessions) {
        await record({ nas, sessionId: session.sessionId, status: 'stop', inOctets: session.inOctets, outOctets: session.outOctets, terminateCause: cause }, now);
      }
      return sessions.length;
    },

    async get(nas: string, sessionId: string): Promise<Session | undefined> {
      return fromHash(await redis.hgetall(keys.session(sessionKeyId(nas, sessionId))));
    },

    /** By client address, scoped by NAS (private addresses repeat between schools), or by address alone. */
    async byIp(nas: string | undefined, ip: string): Promise<Session | undefined> {
      const id = await redis.get(nas ? keys.sessionByIp(nas, ip) : keys.sessionByIpAny(ip));
      return id ? fromHash(await redis.hgetall(keys.session(id))) : undefined;
    },

    async list(filter: { school?: string; user?: string; mac?: string } = {}): Promise<Session[]> {
      const setKey = filter.user ? keys.sessionsOfUser(filter.user) : filter.school ? keys.sessionsOfSchool(filter.school) : filter.mac ? keys.sessionsOfMac(filter.mac) : keys.sessions;
      const sessions = await sessionsIn(setKey);
      // Index members whose hash expired (no Stop ever came) have no hash and are skipped.
      return sessions.filter((session) => (!filter.school || session.school === filter.school) && (!filter.user || session.user === filter.user));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
