// Reading the audit stream (entries are written by write.ts together with each change).
import type { Redis } from 'ioredis';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import type { AuditEntry } from './write.js';

export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

export function createAuditStore(redis: Redis) {
  return {
    /** An action that changes no stored entity (a Disconnect sent, a session kicked). */
    async record(entry: AuditEntry): Promise<void> {
      const detail = entry.detail ? ['detail', JSON.stringify(entry.detail)] : [];
      await redis.xadd(keys.audit, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', 'actor', entry.actor, 'action', entry.action, 'target', entry.target, ...detail);
    },

    /** Newest first. */
    async recent(count = 50): Promise<AuditRecord[]> {
      const entries = await redis.xrevrange(keys.audit, '+', '-', 'COUNT', count);
      return entries.map(([id, flat]) => {
        const fields: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
        const record: AuditRecord = {
          id,
          at: new Date(Number(id.split('-')[0])).toISOString(),
          actor: fields.actor ?? '',
          action: fields.action ?? '',
          target: fields.target ?? '',
        };
        if (fields.detail) record.detail = JSON.parse(fields.detail) as Record<string, unknown>;
        return record;
      });
    },
  };
}
