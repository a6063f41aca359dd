// How long personal data of minors is kept (issue 13): accounting stop records (the session log)
// and the audit log are trimmed by age — XTRIM MINID, the stream id being the entry's time — on
// a schedule, by one instance at a time (a Redis lock). Login-failure counters and locks expire
// with their window already; the RADIUS decision log is the operator's log files.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { auditFields, type AuditEntry } from './write.js';

const DAY_MS = 86_400_000;
const TRIM_EVERY_MS = 3_600_000;

export interface Retention {
  /** Days an accounting stop record is kept. */
  accountingDays: number;
  /** Days an audit entry is kept. */
  auditDays: number;
}

export const RETENTION_DEFAULTS: Retention = { accountingDays: 180, auditDays: 730 };
export const RETENTION_LIMITS = { min: 1, max: 3650 };

export interface Trimmed {
  accounting: number;
  audit: number;
}

export function createRetentionStore(redis: Redis) {
  async function get(): Promise<Retention> {
    const stored = await redis.hgetall(keys.retention);
    const days = (name: keyof Retention) => (stored[name] ? Number(stored[name]) : RETENTION_DEFAULTS[name]);
    return { accountingDays: days('accountingDays'), auditDays: days('auditDays') };
  }

  return {
    get,

    async set(changes: Partial<Retention>, audit: Omit<AuditEntry, 'action' | 'target'>): Promise<Retention> {
      const fields = Object.entries(changes).filter(([, value]) => value !== undefined).flatMap(([name, value]) => [name, String(value)]);
      const entry: AuditEntry = { ...audit, action: 'retention.set', target: 'region', detail: changes };
      await redis.multi().hset(keys.retention, ...fields).xadd(keys.audit, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', ...auditFields(entry)).exec();
      return get();
    },

    /** Removes stop records and audit entries older than their periods; returns how many. */
    async trim(now = Date.now()): Promise<Trimmed> {
      const { accountingDays, auditDays } = await get();
      const [accounting, audit] = await Promise.all([
        redis.xtrim(keys.sessionLog, 'MINID', now - accountingDays * DAY_MS),
        redis.xtrim(keys.audit, 'MINID', now - auditDays * DAY_MS),
      ]);
      return { accounting, audit };
    },
  };
}

export type RetentionStore = ReturnType<typeof createRetentionStore>;

/** Trims once an hour on whichever instance takes the lock; returns the stop function. */
export function startRetentionSweeper(redis: Redis, log: Pick<Logger, 'info' | 'warn'>, everyMs = TRIM_EVERY_MS): () => void {
  const retention = createRetentionStore(redis);
  const sweep = async () => {
    if ((await redis.set(keys.retentionLock, String(process.pid), 'PX', Math.max(everyMs - 1000, 1000), 'NX')) !== 'OK') return;
    const trimmed = await retention.trim();
    log.info({ event: 'retention-trim', ...trimmed }, 'retention: old stop records and audit entries removed');
  };
  const timer = setInterval(() => void sweep().catch((error: unknown) => log.warn({ err: (error as Error).message }, 'retention trim failed')), everyMs);
  timer.unref();
  void sweep().catch(() => undefined);
  return () => clearInterval(timer);
}
