// The audit log, newest first, read-only and filtered.
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../errors.js';
import { parseDuration } from '../../policy/units.js';
import { MAX_AUDIT_COUNT } from '../../services/audit.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { AuditRecord, Page, PageQuery, replies } from '../schemas.js';

/** "2026-11-30", an ISO time, or a duration back from now ("24h", "7d"), as the CLI takes it. */
function since(value: string, now = Date.now()): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  try {
    return now - parseDuration(value) * 1000;
  } catch {
    throw new ValidationError(`since takes a date (2026-11-30), an ISO time or a duration back from now (24h, 7d), not "${value}"`);
  }
}

const text = (description: string) => Type.Optional(Type.String({ maxLength: 100, description }));

export const auditRoutes: RouteModule = (api, actions) => {
  api.get('/audit', {
    schema: {
      tags: ['audit'],
      summary: 'Audit entries in scope, newest first',
      querystring: Type.Object({ actor: text('account:aliya, cli:root…'), action: text('user.disable, or user for every user.* action'), school: text('A school id'), since: text('2026-11-30, an ISO time, or 24h / 7d back'), ...PageQuery }),
      response: replies({ 200: Page(AuditRecord, 'AuditPage') }),
    },
  }, async (request) => {
    const { limit = 100, offset = 0, since: from, ...filter } = request.query;
    if (offset + limit > MAX_AUDIT_COUNT) throw new ValidationError(`the audit log is read at most ${MAX_AUDIT_COUNT} entries deep (offset + limit)`);
    const records = await actions.audit.list(request.principal, { ...filter, count: offset + limit + 1, ...(from === undefined ? {} : { since: since(from) }) });
    // `total` counts what was read: one past the page, which tells whether there is a next one.
    return page(records, { limit, offset });
  });
};
