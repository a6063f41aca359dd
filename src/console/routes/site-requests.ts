// Site requests in the console: they wait in the one list of /console/guests (beside guest
// requests, marked "Site request"); this module gives that list its site-request cards and
// takes their decisions. Allow for the lesson or for the day opens the name to the requester's
// class (audited, logged by the service); Deny closes the request. /console/site-requests, where they
// used to live, sends old links to the list.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatDateTime } from '../../i18n/format.js';
import type { Messages } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import type { Principal } from '../../services/principal.js';
import type { School } from '../../store/schools.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import type { SiteRequestState } from '../../store/site-requests.js';
import type { ConsoleKit } from '../kit.js';
import { timeOfDay } from './focus.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ALLOW_BODY = Type.Object({ _csrf: FIELD(512), id: Type.String({ maxLength: 32 }), for: Type.Union([Type.Literal('lesson'), Type.Literal('day')]), lang: FIELD(8) });
const DENY_BODY = Type.Object({ _csrf: FIELD(512), id: Type.String({ maxLength: 32 }), reason: FIELD(300), lang: FIELD(8) });
const OLD_QUERY = Type.Object({ done: FIELD(32), until: FIELD(8), lang: FIELD(8) });
export const SITE_NOTICES = ['siteRequestsAllowed', 'siteRequestsDismissed'] as const;
/** The guests list's states, for a site request ("expired" has none: a request goes after a day). */
const STATE_OF = { pending: 'pending', approved: 'allowed', denied: 'denied', expired: undefined } as const satisfies Record<string, SiteRequestState | undefined>;

/** The site-request cards of the guests list in `state`, each with its time for sorting. */
export async function siteRequestCards(kit: ConsoleKit, request: FastifyRequest, principal: Principal, state: keyof typeof STATE_OF, schools: Map<string, School>, t: Messages) {
  const wanted = STATE_OF[state];
  if (wanted === undefined) return [];
  const language = languageOf(request);
  const zone = (school: string) => schools.get(school)?.timezone ?? DEFAULT_TIMEZONE;
  return (await kit.services.siteRequests.list(principal, { state: wanted })).map((entry) => ({
    kind: 'site' as const, at: entry.createdAt,
    id: entry.id, domain: entry.domain, who: entry.user ?? entry.mac ?? entry.ip, rule: entry.rule, reason: entry.reason ?? '—',
    school: schools.get(entry.school)?.name ?? entry.school, pending: entry.state === 'pending',
    asked: formatDateTime(language, entry.createdAt, zone(entry.school)),
    until: entry.until ? formatDateTime(language, entry.until, zone(entry.school)) : undefined,
    span: entry.span === 'lesson' ? t.siteRequestsAllowLesson : entry.span === 'day' ? t.siteRequestsAllowDay : undefined,
    denyReason: entry.denyReason,
  }));
}

export function siteRequestRoutes(app: FastifyInstance, kit: ConsoleKit) {
  app.get<{ Querystring: Static<typeof OLD_QUERY> }>('/site-requests', { schema: { querystring: OLD_QUERY } }, async (request, reply) => {
    const kept = Object.entries(request.query).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return reply.redirect(`/console/guests${kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : ''}`, 303);
  });

  app.post<{ Body: Static<typeof ALLOW_BODY> }>('/site-requests/allow', { schema: { body: ALLOW_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const allowed = await kit.services.siteRequests.allow(principal, request.body.id, request.body.for);
    const zone = (await kit.services.schools.list(principal)).find((candidate) => candidate.id === allowed.school)?.timezone ?? DEFAULT_TIMEZONE;
    const query = new URLSearchParams({ done: 'siteRequestsAllowed', until: timeOfDay(languageOf(request), allowed.until, zone) });
    return reply.redirect(`/console/guests?${query.toString()}`, 303);
  });

  app.post<{ Body: Static<typeof DENY_BODY> }>('/site-requests/deny', { schema: { body: DENY_BODY } }, async (request, reply) => {
    await kit.services.siteRequests.deny(request.signedIn!.principal, request.body.id, request.body.reason);
    return reply.redirect('/console/guests?done=siteRequestsDismissed', 303);
  });
}

