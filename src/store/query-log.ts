// The per-school DNS query log (docs/content.md): off unless an admin turns it on for a school,
// with a retention of 1-30 days (default 7). Each school's entries are one stream, capped by
// length on every append (XADD MAXLEN ~) and trimmed by age (XTRIM MINID) by the resolver once a
// minute; turning it off deletes the stream.
import type { Redis } from 'ioredis';
import { ValidationError } from '../errors.js';
import { deleteStreamEntries, scanKeys } from './forget-steps.js';
import { keys } from './keys.js';
import { writeOne, type Actor, who } from './write.js';

export const QUERY_LOG_DEFAULT_DAYS = 7;
export const QUERY_LOG_MAX_DAYS = 30;
/** Roughly the most entries a school's stream holds. */
export const QUERY_LOG_MAX_ENTRIES = 500_000;

export interface QueryLogEntry {
  id: string;
  at: number;
  ip: string;
  user?: string;
  domain: string;
  /** allow, block, rewrite or nxdomain, and the rule ("category:adult", "focus", …). */
  decision: string;
}

export type QueryLogRecord = Omit<QueryLogEntry, 'id' | 'at'>;

export function createQueryLogStore(redis: Redis) {
  return {
    /** Schools with the log on → retention days. */
    async settings(): Promise<Map<string, number>> {
      const hash = await redis.hgetall(keys.queryLogSettings);
      return new Map(Object.entries(hash).map(([school, days]) => [school, Number(days)]));
    },

    async enable(school: string, days: number, actor: Actor): Promise<void> {
      if (!Number.isInteger(days) || days < 1 || days > QUERY_LOG_MAX_DAYS) throw new ValidationError(`the query log keeps 1-${QUERY_LOG_MAX_DAYS} days`);
      await writeOne(redis, {
        key: keys.queryLogSettings, mode: 'upsert', set: { [school]: String(days) },
        audit: { ...who(actor), action: 'content.query-log.on', target: school, school, detail: { days } },
        change: { entity: 'query-log', id: school },
      });
    },

    /** Off, and every entry of the school deleted. */
    async disable(school: string, actor: Actor): Promise<void> {
      await writeOne(redis, {
        key: keys.queryLogSettings, mode: 'upsert', unset: [school],
        audit: { ...who(actor), action: 'content.query-log.off', target: school, school },
        change: { entity: 'query-log', id: school },
      });
      await redis.del(keys.queryLog(school));
    },

    /** One pipeline for a batch of entries (the resolver flushes about once a second). */
    async append(batch: { school: string; at: number; record: QueryLogRecord }[]): Promise<void> {
      if (batch.length === 0) return;
      const pipeline = redis.pipeline();
      for (const { school, at, record } of batch) {
        pipeline.xadd(keys.queryLog(school), 'MAXLEN', '~', QUERY_LOG_MAX_ENTRIES, `${at}-*`, 'ip', record.ip, 'domain', record.domain, 'decision', record.decision, ...(record.user ? ['user', record.user] : []));
      }
      await pipeline.exec();
    },

    /** Drops entries older than each school's retention. */
    async trim(settings: Map<string, number>, now = Date.now()): Promise<void> {
      const pipeline = redis.pipeline();
      for (const [school, days] of settings) pipeline.xtrim(keys.queryLog(school), 'MINID', '~', String(now - days * 86_400_000));
      await pipeline.exec();
    },

    /** Newest first, optionally only one user's or one domain's (and its subdomains). */
    async read(school: string, filter: { user?: string; domain?: string; count?: number } = {}): Promise<QueryLogEntry[]> {
      const count = Math.min(filter.count ?? 200, 1000);
      const found: QueryLogEntry[] = [];
      let end = '+';
      // Pages of 1000 until enough match or the stream ends (bounded: 50 pages).
      for (let page = 0; page < 50 && found.length < count; page++) {
        const rows = await redis.xrevrange(keys.queryLog(school), end, '-', 'COUNT', 1000);
        for (const [id, fields] of rows) {
          const entry: Record<string, string> = {};
          for (let i = 0; i < fields.length; i += 2) entry[fields[i]!] = fields[i + 1]!;
          if (filter.user && entry.user !== filter.user) continue;
          if (filter.domain && entry.domain !== filter.domain && !entry.domain?.endsWith(`.${filter.domain}`)) continue;
          found.push({ id, at: Number(id.split('-')[0]), ip: entry.ip ?? '', domain: entry.domain ?? '', decision: entry.decision ?? '', ...(entry.user ? { user: entry.user } : {}) });
          if (found.length >= count) break;
        }
        if (rows.length < 1000) break;
        end = `(${rows[rows.length - 1]![0]}`;
      }
      return found;
    },
  };
}

export type QueryLogStore = ReturnType<typeof createQueryLogStore>;

/** `user forget`: the person's entries deleted from every school's stream, a page at a time; returns how many. */
export async function forgetQueryLogUser(redis: Redis, username: string): Promise<number> {
  let forgotten = 0;
  for await (const found of scanKeys(redis, keys.queryLog('*'), 'stream')) {
    for (const stream of found) forgotten += await deleteStreamEntries(redis, stream, (fields) => fields.user === username);
  }
  return forgotten;
}
