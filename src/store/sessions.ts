// The live session table, kept from RADIUS accounting. A session is identified by its NAS (and,
// within a NAS registered as a CIDR block, the access point's address) and Acct-Session-Id, and
// indexed by access point, user and school, and by client IP (per NAS, one hash per block of 64
// addresses: private addresses repeat from school to school; and one per block for the NAS that
// reported an address last). Every update is one Lua script (session-scripts.ts),
// idempotent: octet counters are the NAS's running totals, so a repeated Interim-Update changes
// nothing. Indexes are sorted sets by last update, pruned past the session lifetime.
import type { ClientContext, Redis, Result } from 'ioredis';
import { scanSet, sessionFieldPages } from './forget-steps.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { createAccessPointCloser, type AccessPointScope, type CloseResult } from './session-close.js';
import { FIELD, spelledOut } from './session-fields.js';
import { addressSlot, sessionNames } from './session-names.js';
import { FORGOTTEN, RECORD, RETRY, storedNames, withStoredNames } from './session-scripts.js';
import { hourOf, STATS_RETENTION_SECONDS, TOP_USERS_RETENTION_SECONDS, trafficField } from './stats.js';
import { defineScript } from './write.js';
import type { UsagePeriods } from '../policy/periods.js';

/** How long a session with no news is kept at least (a NAS that reboots without Accounting-Off); at most REINDEX_MS more. */
export const SESSION_TTL_SECONDS = 24 * 3600;
export const SESSION_LOG_MAX_ENTRIES = 200_000;
/** An Interim-Update moves its session's index scores at most this often. */
const REINDEX_MS = 10 * 60 * 1000;

export interface AccountingRecord {
  /** The NAS record (an address or a CIDR block). */
  nas: string;
  /** Where the NAS's packets come from (the access point): CoA and Disconnect go back there. */
  nasIp?: string;
  /** NAS-Identifier as the access point sent it. */
  nasIdentifier?: string;
  /** NAS-IP-Address as the NAS reported it (identifies the session in a Disconnect). */
  nasIpAddress?: string;
  /** Calling-Station-Id, User-Name and Acct-Session-Id as the NAS sent them (session-wire.ts). */
  callingStationId?: string;
  userName?: string;
  sessionId: string;
  status: 'start' | 'interim' | 'stop';
  /** The Mektep user the session is charged to (only from a Class this NAS was issued). */
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
  /** The person (or device) the record named was forgotten: it was recorded charged to nobody. */
  forgotten?: true;
}

export interface Session {
  id: string;
  nas: string;
  nasIp?: string;
  nasIdentifier?: string;
  nasIpAddress?: string;
  callingStationId?: string;
  userName?: string;
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

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkAccounting(numberOfKeys: number, ...args: string[]): Result<string[], Context>;
  }
}

const OPTIONAL = ['nasIp', 'nasIdentifier', 'nasIpAddress', 'callingStationId', 'userName', 'user', 'role', 'school', 'mac', 'ip'] as const;

/** "<nas>|<Acct-Session-Id>", or "<CIDR>|<AP address>|<Acct-Session-Id>": APs of a block number sessions alone. */
export function sessionKeyId(nas: string, sessionId: string, ap?: string): string {
  return ap && nas.includes('/') ? `${nas}|${ap}|${sessionId}` : `${nas}|${sessionId}`;
}

function fromHash(stored: Record<string, string>): Session | undefined {
  const hash = spelledOut(stored);
  if (!hash.nas || !hash.sessionId) return undefined;
  const session: Session = {
    id: sessionKeyId(hash.nas, hash.sessionId, hash.nasIp ?? hash.nas),
    nas: hash.nas,
    sessionId: hash.sessionId,
    startedAt: new Date(Number(hash.startedAt)).toISOString(),
    updatedAt: new Date(Number(hash.updatedAt)).toISOString(),
    inOctets: Number(hash.inOctets ?? 0),
    outOctets: Number(hash.outOctets ?? 0),
  };
  for (const field of OPTIONAL) if (hash[field]) session[field] = hash[field];
  return session;
}

const FIELDS = [...OPTIONAL, 'nasPort', 'sessionTime', 'terminateCause'] as const;
/** What names a person in a record; a forgotten person's records are kept without it. */
const PERSONAL = ['user', 'userName', 'mac', 'callingStationId', 'periods'] as const;

/** The session hash's fields a record writes, as JSON (by their stored names, FIELD). */
function fieldsOf(entry: AccountingRecord): string {
  const fields: Record<string, string | number> = { [FIELD.nas]: entry.nas, [FIELD.sessionId]: entry.sessionId, [FIELD.inOctets]: entry.inOctets, [FIELD.outOctets]: entry.outOctets };
  for (const field of FIELDS) {
    if (entry[field] !== undefined && entry[field] !== '') fields[FIELD[field]] = entry[field];
  }
  return JSON.stringify(fields);
}

/** The markers of the names a record is charged to, once each (keys.forgotten hashes every name). */
function forgottenMarkers(named: (string | undefined)[]): string[] {
  return [...new Set(named)].filter((name): name is string => !!name).map((name) => keys.forgotten(name));
}

export function createSessionStore(redis: Redis) {
  defineScript(redis, 'mkAccounting', RECORD);
  const closer = createAccessPointCloser(redis, SESSION_LOG_MAX_ENTRIES, SESSION_TTL_SECONDS);

  /** Writes the record; undefined (nothing written) when the person or device it names was forgotten. */
  async function write(entry: AccountingRecord, now: number): Promise<Usage | undefined> {
    const ap = entry.nasIp ?? entry.nas;
    const id = sessionKeyId(entry.nas, entry.sessionId, ap);
    const { indexes, address, flags } = sessionNames(entry);
    const usage = entry.user && entry.periods ? [keys.usage(entry.user, entry.periods.day), keys.usage(entry.user, entry.periods.month)] : [];
    // The dashboard's traffic figures (stats.ts): bytes by role, per hour, for the school and the region.
    const hour = entry.role ? hourOf(now) : '';
    const hours = entry.role ? [keys.statsHour(undefined, hour), ...(entry.school ? [keys.statsHour(entry.school, hour)] : [])] : [];
    const top = hours.length && entry.user && entry.school && entry.periods ? [keys.statsTopUsers(entry.school, entry.periods.day)] : [];
    // Charged to a user: theirs only (a forgotten MAC is no one's now; a new owner's login counts).
    // Else the User-Name, as the NAS may spell it, and the device.
    const named = entry.user ? [entry.user] : [entry.userName?.trim().toLowerCase(), entry.mac];
    const identifiers = entry.nasIdentifier === undefined ? [] : [keys.apIdentifiers(entry.nas, ap)];
    const keyList = [keys.session(id), keys.sessions, keys.sessionLog, keys.sessionCounted(id), ...indexes, ...address, ...identifiers, ...usage, ...hours, ...top];
    const args = [
      entry.status, String(now), String(SESSION_TTL_SECONDS), String(SESSION_LOG_MAX_ENTRIES), id,
      // An Interim-Update of a session as stored writes none of its fields: they are sent when the script asks.
      entry.status === 'interim' ? '' : fieldsOf(entry), String(indexes.length), address.length ? '1' : '0', usage.length ? '1' : '0', String(REINDEX_MS), keys.sessionAnnouncements,
      trafficField(entry.role ?? ''), entry.user ?? '', String(hours.length), top.length ? '1' : '0', String(STATS_RETENTION_SECONDS), String(TOP_USERS_RETENTION_SECONDS),
      String(entry.inOctets), String(entry.outOctets), entry.sessionTime === undefined ? '' : String(entry.sessionTime),
      String(keyList.length + 1), '0', flags, identifiers.length ? '1' : '0', entry.ip ?? '',
    ];
    // Usually the session holds the names this record computes; when it moved or ends with less,
    // the script names what it holds and is called again with those in KEYS too (and the fields).
    // The forgotten markers are read only off the fast path: an Interim-Update hashes and sends
    // them only when asked again.
    let marked: string[] | undefined;
    const reply = await withStoredNames(id, (held, again) => {
      if (again) args[5] ||= fieldsOf(entry);
      const markers = entry.status === 'interim' && !again ? [] : (marked ??= forgottenMarkers(named));
      args[21] = String(markers.length);
      return redis.mkAccounting(keyList.length + markers.length + held.length, ...keyList, ...markers, ...held, ...args);
    }, (answer) => (answer[0] === RETRY ? storedNames(answer[1], answer[2], answer[3]).filter((name) => !keyList.includes(name)) : undefined));
    if (reply[0] === FORGOTTEN) return undefined;
    const [today = '0', month = '0'] = reply;
    return { today: Number(today), month: Number(month) };
  }

  async function record(entry: AccountingRecord, now = Date.now()): Promise<Usage> {
    const usage = await write(entry, now);
    if (usage) return usage;
    // Still recorded (the session can be seen and ended, the NAS stops resending), naming no one.
    const anonymous = { ...entry };
    for (const field of PERSONAL) delete anonymous[field];
    return { ...((await write(anonymous, now)) ?? { today: 0, month: 0 }), forgotten: true };
  }

  async function read(ids: string[]): Promise<Session[]> {
    const rows = await readHashes(redis, ids.map((id) => keys.session(id)));
    // Members whose hash expired (no Stop ever came) have no hash and are skipped.
    return rows.map(fromHash).filter((session): session is Session => session !== undefined);
  }

  async function sessionsIn(setKey: string): Promise<Session[]> {
    const live = Date.now() - SESSION_TTL_SECONDS * 1000 - REINDEX_MS;
    return read((await redis.zrangebyscore(setKey, live, '+inf')).sort());
  }

  const byId = async (id: string): Promise<Session | undefined> => fromHash(await redis.hgetall(keys.session(id)));

  /** Every live session's id whose hash names one of the MACs, a page of the region's set at a time. */
  async function idsOfMacs(wanted: ReadonlySet<string>): Promise<string[]> {
    const found = new Set<string>();
    for await (const page of sessionFieldPages(redis, [FIELD.mac])) {
      for (const [id, [mac]] of page) if (wanted.has(mac ?? '')) found.add(id);
    }
    return [...found].sort();
  }

  return {
    record,

    async usage(username: string, periods: UsagePeriods): Promise<Usage> {
      const [today, month] = await redis.mget(keys.usage(username, periods.day), keys.usage(username, periods.month));
      return { today: Number(today ?? 0), month: Number(month ?? 0) };
    },

    /**
     * Accounting-On/Off: the access point restarted, so the sessions it had before `cutoff` are
     * over. Closed in bounded batches, once per access point however many copies arrive.
     */
    closeAccessPoint: (scope: AccessPointScope, cutoff: number, cause: string): Promise<CloseResult> => closer.close(scope, cutoff, cause),

    async get(nas: string, sessionId: string, ap?: string): Promise<Session | undefined> {
      return byId(sessionKeyId(nas, sessionId, ap));
    },

    /** By the id a Session carries ("<nas>|<Acct-Session-Id>", or with the AP for a CIDR NAS). */
    byId,

    /**
     * By client address, scoped by NAS (private addresses repeat between schools: its block's
     * hash of that NAS), or by address alone (the session that reported it last: the any-NAS
     * block hash); one field read either way. A field of a session that expired names no hash,
     * and one whose session id came back elsewhere is not at this address: both find nothing.
     */
    async byIp(nas: string | undefined, ip: string): Promise<Session | undefined> {
      const { block, host } = addressSlot(ip);
      const listed = await redis.hget(nas === undefined ? keys.sessionAddressAnyBlock(block) : keys.sessionAddressBlock(nas, block), host);
      // A NAS's block hash names its sessions without the '<NAS>|' its key holds (session-scripts.ts listedAs).
      const session = listed ? await byId(nas === undefined ? listed : `${nas}|${listed}`) : undefined;
      return session?.ip === ip ? session : undefined;
    },

    /**
     * The live sessions of a user, a school or devices (a MAC, or several), or all. There is no set
     * per MAC (docs/scale.md): devices' sessions are read from the user's or school's set when
     * given, else from the region's, a page at a time (its MAC field first, whole hashes of the
     * matches) — one pass for all the MACs asked.
     */
    async list(filter: { school?: string; user?: string; mac?: string; macs?: ReadonlySet<string> } = {}): Promise<Session[]> {
      const devices = filter.macs ?? (filter.mac ? new Set([filter.mac]) : undefined);
      const matches = (session: Session) => (!filter.school || session.school === filter.school) && (!filter.user || session.user === filter.user) && (!devices || devices.has(session.mac ?? ''));
      if (devices && !filter.user && !filter.school) return (await read(await idsOfMacs(devices))).filter(matches);
      const setKey = filter.user ? keys.sessionsOfUser(filter.user) : filter.school ? keys.sessionsOfSchool(filter.school) : keys.sessions;
      return (await sessionsIn(setKey)).filter(matches);
    },

    /** Every live session, a page at a time (memory stays bounded however many there are). */
    async *each(): AsyncGenerator<Session[]> {
      for await (const ids of scanSet(redis, keys.sessions)) yield await read(ids);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
export type { AccessPointScope, CloseResult } from './session-close.js';
