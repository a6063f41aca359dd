// The audit log, read-only: region-wide principals read all of it, a school admin the entries of
// their school.
import type { AuditFilter, AuditRecord, AuditStore } from '../store/audit.js';
import { allow, MANAGERS, schoolFor, type Principal } from './principal.js';

export const MAX_AUDIT_COUNT = 10_000;

export function createAuditService({ audit }: { audit: Pick<AuditStore, 'list'> }) {
  return {
    async list(principal: Principal, filter: AuditFilter = {}): Promise<AuditRecord[]> {
      allow(principal, MANAGERS, 'read the audit log');
      const school = schoolFor(principal, filter.school, 'read the audit log');
      return audit.list({ ...filter, ...(school ? { school } : {}), count: Math.min(filter.count ?? 50, MAX_AUDIT_COUNT) });
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
