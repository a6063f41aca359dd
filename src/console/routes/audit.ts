// /console/audit: the audit log, read-only, newest first, filtered by actor, action, school (a
// region admin) and a date range in the school's calendar, a bounded page at a time. The audit
// service confines a school admin to their school's entries.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formatDateTime } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import { MAX_AUDIT_COUNT } from '../../services/audit.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

export const AUDIT_PER_PAGE = 50;
const MAX_PAGE = Math.floor(MAX_AUDIT_COUNT / AUDIT_PER_PAGE) - 1;
const DAY = '^\\d{4}-\\d{2}-\\d{2}$';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const QUERY = Type.Object({
  actor: FIELD(100), action: FIELD(100), school: FIELD(64),
  from: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: DAY })])), to: Type.Optional(Type.Union([Type.Literal(''), Type.String({ pattern: DAY })])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })), lang: FIELD(8),
});

/** The zone's offset from UTC at a moment, in ms ("GMT+05:00" → 5 h). */
function offsetMs(at: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const [, sign = '+', hours = '0', minutes = '0'] = /GMT([+-])(\d{2}):(\d{2})/.exec(name) ?? [];
  return (sign === '-' ? -1 : 1) * (Number(hours) * 3_600_000 + Number(minutes) * 60_000);
}

/** Midnight of a day ("2026-12-01") in the zone, as epoch ms. */
export function startOfDay(day: string, timeZone: string): number {
  const utc = Date.parse(`${day}T00:00:00Z`);
  return utc - offsetMs(utc - offsetMs(utc, timeZone), timeZone);
}

export function auditRoutes(app: FastifyInstance, kit: ConsoleKit) {
  app.get<{ Querystring: Static<typeof QUERY> }>('/audit', { schema: { querystring: QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const query = request.query;
    const schools = await kit.services.schools.list(principal);
    const own = principal.kind === 'school-admin' || principal.kind === 'teacher' ? principal.school : query.school || undefined;
    const timeZone = schools.find((school) => school.id === own)?.timezone ?? DEFAULT_TIMEZONE;
    const page = query.page ?? 1;
    const filter = {
      ...(query.actor?.trim() ? { actor: query.actor.trim() } : {}),
      ...(query.action?.trim() ? { action: query.action.trim() } : {}),
      ...(query.school ? { school: query.school } : {}),
      ...(query.from ? { since: startOfDay(query.from, timeZone) } : {}),
      ...(query.to ? { until: startOfDay(query.to, timeZone) + 86_400_000 - 1 } : {}),
    };
    // One past the page tells whether there is a next one.
    const read = await kit.services.audit.list(principal, { ...filter, count: page * AUDIT_PER_PAGE + 1 });
    const shown = read.slice((page - 1) * AUDIT_PER_PAGE, page * AUDIT_PER_PAGE);
    const kept = Object.entries({ actor: query.actor ?? '', action: query.action ?? '', school: query.school ?? '', from: query.from ?? '', to: query.to ?? '' }).filter(([, value]) => value);
    const keep = (to: number) => `/console/audit?${new URLSearchParams([...kept, ['page', String(to)]]).toString()}`;
    return kit.render(request, reply, {
      template: 'console/audit.eta',
      title: t.navAudit,
      data: {
        entries: shown.map((entry) => ({
          ...entry,
          when: formatDateTime(language, entry.at, timeZone),
          detail: entry.detail ? Object.entries(entry.detail).map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ') : '',
        })),
        filter: { actor: query.actor ?? '', action: query.action ?? '', school: query.school ?? '', from: query.from ?? '', to: query.to ?? '' },
        schools: principal.kind === 'region-admin' ? schools : [],
        previous: page > 1 ? keep(page - 1) : undefined,
        next: read.length > page * AUDIT_PER_PAGE && page < MAX_PAGE ? keep(page + 1) : undefined,
      },
    });
  });
}
