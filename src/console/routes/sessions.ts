// /console/sessions: the live sessions in scope, filtered by role, user, MAC and access point, a
// bounded page at a time. Admins end one after a confirmation step (a Disconnect-Request to its
// access point; the page says whether the AP acknowledged it). Teachers see their school's
// students, read-only: the sessions service decides both.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Messages } from '../../i18n/languages.js';
import { formatBytes, formatDateTime } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import type { Session } from '../../store/sessions.js';
import { notice } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

export const SESSIONS_PER_PAGE = 50;
/** Pages beyond this are not offered: narrow the filter instead. */
export const MAX_SESSION_PAGE = 100;

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const LIST_QUERY = Type.Object({
  role: FIELD(64), user: FIELD(64), mac: FIELD(32), ap: FIELD(64), school: FIELD(64),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SESSION_PAGE })), done: FIELD(32), who: FIELD(64), lang: FIELD(8),
});
const KICK_QUERY = Type.Object({ id: Type.String({ maxLength: 300 }), lang: FIELD(8) });
const KICK_BODY = Type.Object({ _csrf: FIELD(512), id: Type.String({ maxLength: 300 }), lang: FIELD(8) });

/** The outcome of a Disconnect, as the notice after the redirect names it. */
const DONE = { ack: 'sessionsKickAcked', nak: 'sessionsKickRefused' } as const satisfies Record<string, keyof Messages>;
const NOTICES = ['sessionsKickAcked', 'sessionsKickRefused', 'sessionsKickNoAnswer'] as const;

export function sessionRoutes(app: FastifyInstance, kit: ConsoleKit) {
  const zoneOf = async (principal: Parameters<typeof kit.services.schools.list>[0], school: string | undefined) =>
    (await kit.services.schools.list(principal)).find((candidate) => candidate.id === school)?.timezone ?? DEFAULT_TIMEZONE;

  function row(session: Session, language: ReturnType<typeof languageOf>, timeZone: string) {
    return {
      id: session.id, user: session.user ?? session.userName ?? '—', role: session.role ?? '—', school: session.school ?? '—',
      mac: session.mac ?? '—', ip: session.ip ?? '—', ap: session.nasIdentifier ? `${session.nasIdentifier} (${session.nasIp ?? session.nas})` : (session.nasIp ?? session.nas),
      since: formatDateTime(language, session.startedAt, timeZone),
      data: `${formatBytes(language, session.outOctets)} / ${formatBytes(language, session.inOctets)}`,
    };
  }

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/sessions', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const query = request.query;
    const filter = { role: query.role || undefined, user: query.user?.trim() || undefined, mac: query.mac?.trim() || undefined, school: query.school || undefined };
    const ap = query.ap?.trim() || undefined;
    const found = (await kit.services.sessions.list(principal, filter))
      .filter((session) => !ap || session.nas === ap || session.nasIp === ap || session.nasIdentifier === ap)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
    const page = query.page ?? 1;
    const shown = found.slice((page - 1) * SESSIONS_PER_PAGE, page * SESSIONS_PER_PAGE);
    const own = principal.kind === 'school-admin' || principal.kind === 'teacher' ? principal.school : undefined;
    const timeZone = await zoneOf(principal, own ?? filter.school);
    const readOnly = principal.kind === 'teacher';
    const kept = Object.entries({ ...filter, ap }).filter((entry): entry is [string, string] => Boolean(entry[1]));
    const keep = (to: number) => `/console/sessions?${new URLSearchParams([...kept, ['page', String(to)]]).toString()}`;
    return kit.render(request, reply, {
      template: 'console/sessions.eta',
      title: t.navSessions,
      data: {
        sessions: shown.map((session) => row(session, language, timeZone)),
        total: found.length,
        showing: `${found.length === 0 ? 0 : (page - 1) * SESSIONS_PER_PAGE + 1}–${(page - 1) * SESSIONS_PER_PAGE + shown.length}`,
        previous: page > 1 ? keep(page - 1) : undefined,
        next: page * SESSIONS_PER_PAGE < found.length && page < MAX_SESSION_PAGE ? keep(page + 1) : undefined,
        filter: { role: filter.role ?? '', user: filter.user ?? '', mac: filter.mac ?? '', ap: ap ?? '', school: filter.school ?? '' },
        roles: readOnly ? [] : await kit.services.schools.listRoles(principal),
        schools: principal.kind === 'region-admin' ? await kit.services.schools.list(principal) : [],
        readOnly,
        notice: notice(query.done, NOTICES, t, { username: query.who ?? '' }),
      },
    });
  });

  app.get<{ Querystring: Static<typeof KICK_QUERY> }>('/sessions/kick', { schema: { querystring: KICK_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const session = await kit.services.sessions.get(principal, request.query.id);
    const timeZone = await zoneOf(principal, session.school);
    return kit.render(request, reply, { template: 'console/sessions-kick.eta', title: t.sessionsKickHeading, data: { session: row(session, languageOf(request), timeZone) } });
  });

  app.post<{ Body: Static<typeof KICK_BODY> }>('/sessions/kick', { schema: { body: KICK_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const session = await kit.services.sessions.get(principal, request.body.id);
    const result = await kit.services.sessions.kick(principal, session.id);
    request.log.info({ user: request.signedIn!.account.username, session: session.id, outcome: result.outcome }, 'console: session kicked');
    const done = result.outcome === 'ack' || result.outcome === 'nak' ? DONE[result.outcome] : 'sessionsKickNoAnswer';
    return reply.redirect(`/console/sessions?${new URLSearchParams({ done, who: session.user ?? session.userName ?? session.mac ?? '' }).toString()}`, 303);
  });
}
