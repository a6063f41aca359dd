// The per-school DNS query log: school admins (their school) and region-wide principals turn it
// on with a retention, read it (filtered by user or domain) and turn it off, which deletes it.
// Teachers have no access: it is a record of what pupils looked up.
import type { Logger } from 'pino';
import { ValidationError } from '../errors.js';
import { QUERY_LOG_DEFAULT_DAYS, type QueryLogEntry, type QueryLogStore } from '../store/query-log.js';
import type { SchoolStore } from '../store/schools.js';
import { allow, auditOf, MANAGERS, schoolFor, type Principal } from './principal.js';

export interface QueryLogServiceDeps {
  queryLog: Pick<QueryLogStore, 'settings' | 'enable' | 'disable' | 'read'>;
  schools: Pick<SchoolStore, 'require'>;
  log?: Pick<Logger, 'info'> | undefined;
}

export function createQueryLogService({ queryLog, schools, log }: QueryLogServiceDeps) {
  async function scope(principal: Principal, school: string | undefined, what: string): Promise<string> {
    allow(principal, MANAGERS, what);
    const at = schoolFor(principal, school, what);
    if (!at) throw new ValidationError('name the school');
    await schools.require(at);
    return at;
  }

  return {
    /** The retention in days, or undefined when the log is off. */
    async setting(principal: Principal, school?: string): Promise<{ school: string; days?: number }> {
      const at = await scope(principal, school, 'see the query log');
      const days = (await queryLog.settings()).get(at);
      return days === undefined ? { school: at } : { school: at, days };
    },

    async enable(principal: Principal, school: string | undefined, days = QUERY_LOG_DEFAULT_DAYS): Promise<void> {
      const at = await scope(principal, school, 'turn the query log on');
      await queryLog.enable(at, days, auditOf(principal));
      log?.info({ school: at, days, by: auditOf(principal).actor }, 'query log on');
    },

    async disable(principal: Principal, school: string | undefined): Promise<void> {
      const at = await scope(principal, school, 'turn the query log off');
      await queryLog.disable(at, auditOf(principal));
      log?.info({ school: at, by: auditOf(principal).actor }, 'query log off (entries deleted)');
    },

    async read(principal: Principal, school: string | undefined, filter: { user?: string; domain?: string; count?: number } = {}): Promise<QueryLogEntry[]> {
      return queryLog.read(await scope(principal, school, 'read the query log'), filter);
    },
  };
}

export type QueryLogService = ReturnType<typeof createQueryLogService>;
