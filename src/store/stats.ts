// The dashboard's figures: what happened, counted in hourly buckets (UTC hours; the console shows
// them in the school's zone). Each bucket is a hash per school and one for the region, with the
// fields `accept:<role>`, `refuse:<role>`, `failed` and `bytes:<role>`, and expires 8 days after
// its last login count or its last new field (the accounting script renews the expiry only when
// it adds a field), so 7 days of hours exist and nothing grows without bound. RADIUS logins are
// tallied in memory and written once a second (createLoginTally), portal refusals one pipeline
// each (countLogin); bytes by the accounting script (session-scripts.ts) in the same step that
// adds to usage. Top users: a sorted set per school and school-calendar day.
import type { Redis } from 'ioredis';
import { keys } from './keys.js';

export const STATS_RETENTION_SECONDS = 8 * 86_400;
export const TOP_USERS_RETENTION_SECONDS = 2 * 86_400;
export const HOUR_MS = 3_600_000;

/** accept: let in; refuse: the credentials were right but the policy or the account said no; failed: wrong or unknown credentials. */
export type LoginOutcome = 'accept' | 'refuse' | 'failed';

/** A role the decision could not name (a refusal before the account was known). */
export const UNKNOWN_ROLE = '-';

/** The last hour asked for: every accounting record and login of an hour asks for the same text. */
let lastHour = { start: Number.NaN, text: '' };

/** The UTC hour a moment falls in, as its key part: "2026-12-01T09". */
export function hourOf(at: number): string {
  // Whole milliseconds only: a Date truncates a fraction towards zero, which before 1970 is another hour.
  const whole = Number.isInteger(at);
  if (whole && at >= lastHour.start && at < lastHour.start + HOUR_MS) return lastHour.text;
  const text = new Date(at).toISOString().slice(0, 13);
  if (whole) lastHour = { start: Math.floor(at / HOUR_MS) * HOUR_MS, text };
  return text;
}

export function loginField(outcome: LoginOutcome, role: string | undefined): string {
  return outcome === 'failed' ? 'failed' : `${outcome}:${role ?? UNKNOWN_ROLE}`;
}

export const trafficField = (role: string): string => `bytes:${role}`;

export interface HourFigures {
  /** Start of the hour, epoch ms. */
  at: number;
  fields: Record<string, number>;
}

export function createStatsStore(redis: Redis) {
  return {
    /** One login decision, written now: one pipeline (region and school buckets). RADIUS uses createLoginTally. */
    async countLogin(outcome: LoginOutcome, who: { role?: string | undefined; school?: string | undefined }, at = Date.now()): Promise<void> {
      const hour = hourOf(at);
      const field = loginField(outcome, who.role);
      const pipeline = redis.pipeline();
      for (const key of [keys.statsHour(undefined, hour), ...(who.school ? [keys.statsHour(who.school, hour)] : [])]) {
        pipeline.hincrby(key, field, 1).expire(key, STATS_RETENTION_SECONDS);
      }
      const results = (await pipeline.exec()) ?? [];
      const failure = results.find(([error]) => error)?.[0];
      if (failure) throw failure;
    },

    /** The `count` hours ending with the one `until` falls in, oldest first; a school's, or the region's when none is named. */
    async hours(school: string | undefined, until: number, count: number): Promise<HourFigures[]> {
      const last = Math.floor(until / HOUR_MS) * HOUR_MS;
      const starts = Array.from({ length: count }, (_, index) => last - (count - 1 - index) * HOUR_MS);
      const pipeline = redis.pipeline();
      for (const at of starts) pipeline.hgetall(keys.statsHour(school, hourOf(at)));
      const results = (await pipeline.exec()) ?? [];
      return starts.map((at, index) => {
        const [error, hash] = results[index] ?? [null, {}];
        if (error) throw error;
        const fields = Object.fromEntries(Object.entries((hash ?? {}) as Record<string, string>).map(([name, value]) => [name, Number(value)]));
        return { at, fields };
      });
    },

    /** When each NAS last sent RADIUS traffic (createNasLastSeen writes it): epoch ms by address. */
    async lastSeen(): Promise<Record<string, number>> {
      const hash = await redis.hgetall(keys.nasLastSeen);
      return Object.fromEntries(Object.entries(hash).map(([address, at]) => [address, Number(at)]));
    },

    /** The users who moved the most bytes in the schools' day, highest first, at most `limit`. */
    async topUsers(schools: { id: string; day: string }[], limit: number): Promise<{ user: string; school: string; bytes: number }[]> {
      const pipeline = redis.pipeline();
      for (const { id, day } of schools) pipeline.zrevrange(keys.statsTopUsers(id, day), 0, limit - 1, 'WITHSCORES');
      const results = (await pipeline.exec()) ?? [];
      const rows = schools.flatMap(({ id }, index) => {
        const [error, flat] = results[index] ?? [null, []];
        if (error) throw error;
        const pairs = flat as string[];
        return Array.from({ length: pairs.length / 2 }, (_, at) => ({ user: pairs[at * 2]!, school: id, bytes: Number(pairs[at * 2 + 1]) }));
      });
      return rows.sort((a, b) => b.bytes - a.bytes || a.user.localeCompare(b.user)).slice(0, limit);
    },
  };
}

export type StatsStore = ReturnType<typeof createStatsStore>;

/** How often the RADIUS side writes the logins it counted: memory in between, one pipeline then. */
export const LOGIN_FLUSH_MS = 1000;
/** Counted fields held before a write is forced (a flood of decisions cannot grow it further). */
const MAX_PENDING_FIELDS = 10_000;

/** Key and field texts kept between hours (schools and roles are a handful; the bound is a guard). */
const MAX_NAMES = 10_000;

/**
 * The texts a count needs, worked out once rather than per decision: the hour (its ISO text
 * changes once an hour), each school's key in it, each outcome and role's field.
 */
function tallyNames() {
  let hour = '';
  let regionKey = '';
  const schoolKeys = new Map<string, string>();
  const fields = { accept: new Map<string, string>(), refuse: new Map<string, string>() };
  return {
    /** Moves to the hour `at` falls in (counts may arrive for another hour: any order is fine). */
    at(at: number): void {
      const text = hourOf(at);
      if (text === hour) return;
      hour = text;
      regionKey = keys.statsHour(undefined, hour);
      schoolKeys.clear();
    },
    region: () => regionKey,
    school(school: string): string {
      let key = schoolKeys.get(school);
      if (key === undefined) {
        if (schoolKeys.size >= MAX_NAMES) schoolKeys.clear();
        schoolKeys.set(school, (key = keys.statsHour(school, hour)));
      }
      return key;
    },
    field(outcome: LoginOutcome, role: string | undefined): string {
      if (outcome === 'failed' || role === undefined) return loginField(outcome, role);
      const byRole = fields[outcome];
      let field = byRole.get(role);
      if (field === undefined) {
        if (byRole.size >= MAX_NAMES) byRole.clear();
        byRole.set(role, (field = loginField(outcome, role)));
      }
      return field;
    },
  };
}

/**
 * Login counts on the RADIUS hot path: each decision only adds to a map in memory; a timer
 * writes them all every second in one pipeline (HINCRBY per field, EXPIRE per hour hash), so a
 * decision costs no Redis command of its own. At most a second of counts is lost if the process
 * dies; several instances add up, as HINCRBY does. `count` never waits and never throws.
 */
export function createLoginTally(redis: Redis, failed: (error: unknown) => void, flushMs = LOGIN_FLUSH_MS) {
  let pending = new Map<string, Map<string, number>>();
  let size = 0;
  const names = tallyNames();

  async function flush(): Promise<void> {
    if (size === 0) return;
    const batch = pending;
    pending = new Map();
    size = 0;
    const pipeline = redis.pipeline();
    for (const [key, fields] of batch) {
      for (const [field, count] of fields) pipeline.hincrby(key, field, count);
      pipeline.expire(key, STATS_RETENTION_SECONDS);
    }
    const failure = ((await pipeline.exec()) ?? []).find(([error]) => error)?.[0];
    if (failure) throw failure;
  }
  const write = () => void flush().catch(failed);
  const timer = setInterval(write, flushMs);
  timer.unref();

  function add(key: string, field: string): void {
    let fields = pending.get(key);
    if (!fields) pending.set(key, (fields = new Map<string, number>()));
    const count = fields.get(field);
    if (count === undefined) size++;
    fields.set(field, (count ?? 0) + 1);
  }

  return {
    count(outcome: LoginOutcome, who: { role?: string | undefined; school?: string | undefined }, at = Date.now()): void {
      names.at(at);
      const field = names.field(outcome, who.role);
      add(names.region(), field);
      if (who.school) add(names.school(who.school), field);
      if (size >= MAX_PENDING_FIELDS) write();
    },
    /** Writes what is pending now (on close). */
    async close(): Promise<void> {
      clearInterval(timer);
      await flush().catch(failed);
    },
  };
}

export type LoginTally = ReturnType<typeof createLoginTally>;

/** A NAS's last-seen time is written at most this often. */
export const LAST_SEEN_EVERY_MS = 60_000;

/**
 * When each NAS last sent RADIUS traffic that passed its checks: one hash, a field per NAS
 * record, written at most once a minute per NAS (an in-memory throttle; one entry per NAS
 * record, so it is bounded by the NAS table). `seen` never waits and never throws.
 */
export function createNasLastSeen(redis: Redis, failed: (error: unknown) => void, now: () => number = Date.now) {
  const written = new Map<string, number>();
  return {
    seen(address: string): void {
      const at = now();
      if (at - (written.get(address) ?? -Infinity) < LAST_SEEN_EVERY_MS) return;
      written.set(address, at);
      redis.hset(keys.nasLastSeen, address, String(at)).catch((error: unknown) => {
        written.delete(address);
        failed(error);
      });
    },
  };
}

export type NasLastSeen = ReturnType<typeof createNasLastSeen>;
