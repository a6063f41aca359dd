// Reading the audit stream (entries are written by write.ts together with each change).
import type { Redis } from 'ioredis';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { auditFields, type AuditEntry } from './write.js';

export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  school?: string;
  source?: string;
  detail?: Record<string, unknown>;
}

export interface AuditFilter {
  actor?: string;
  /** "user.disable", or "user" for every user.* action. */
  action?: string;
  school?: string;
  /** Epoch ms: entries at or after. */
  since?: number;
  /** Epoch ms: entries at or before. */
  until?: number;
  /** How many matching entries, newest first (default 50). */
  count?: number;
}

// XREVRANGE reads this many entries per round trip while filtering.
const PAGE = 1000;

function fromStream(id: string, flat: string[]): AuditRecord {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  const record: AuditRecord = {
    id,
    at: new Date(Number(id.split('-')[0])).toISOString(),
    actor: fields.actor ?? '',
    action: fields.action ?? '',
    target: fields.target ?? '',
  };
  if (fields.source) record.source = fields.source;
  if (fields.detail) record.detail = JSON.parse(fields.detail) as Record<string, unknown>;
  // Entries written before the school field existed (or by writers that name it only in the
  // detail) still belong to their school.
  const school = fields.school ?? record.detail?.school;
  if (typeof school === 'string' && school) record.school = school;
  return record;
}

function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.actor !== undefined && record.actor !== filter.actor) return false;
  if (filter.school !== undefined && record.school !== filter.school) return false;
  if (filter.action !== undefined && record.action !== filter.action && !record.action.startsWith(`${filter.action}.`)) return false;
  return true;
}

export function createAuditStore(redis: Redis) {
  /** Newest first, filtered; reads back no further than `since` and the stream's cap. */
  async function list(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const count = filter.count ?? 50;
    const floor = filter.since === undefined ? '-' : `${Math.max(0, Math.floor(filter.since))}-0`;
    const found: AuditRecord[] = [];
    // An ID without its sequence part, as the end of XREVRANGE, covers every entry of that ms.
    let upper = filter.until === undefined ? '+' : `${Math.max(0, Math.floor(filter.until))}`;
    for (let scanned = 0; found.length < count && scanned < AUDIT_MAX_ENTRIES * 1.5; scanned += PAGE) {
      const page = await redis.xrevrange(keys.audit, upper, floor, 'COUNT', PAGE);
      for (const [id, flat] of page) {
        const record = fromStream(id, flat);
        if (matches(record, filter)) found.push(record);
        if (found.length === count) break;
      }
      if (page.length < PAGE) break;
      // Redis 6.2+: "(" makes the bound exclusive, so the next page starts after this one.
      upper = `(${page[page.length - 1]![0]}`;
    }
    return found;
  }

  return {
    list,

    /** An action that changes no stored entity (a Disconnect sent, a session kicked). */
    async record(entry: AuditEntry): Promise<void> {
      await redis.xadd(keys.audit, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', ...auditFields(entry));
    },

    /** Newest first. */
    async recent(count = 50): Promise<AuditRecord[]> {
      return list({ count });
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
