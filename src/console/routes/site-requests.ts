// /console/site-requests (teachers of the school, school and region admins): what students asked
// for from the block page, newest first; Allow opens the domain for the school until the
// requester's lesson focus ends (or the end of the school's day); Dismiss drops it. Both audited.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formatDateTime } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { notice } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';
import { timeOfDay } from './focus.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const LIST_QUERY = Type.Object({ done: FIELD(32), until: FIELD(8), school: FIELD(63), lang: FIELD(8) });
const DECIDE_BODY = Type.Object({ _csrf: FIELD(512), id: Type.String({ maxLength: 32 }), lang: FIELD(8) });
const NOTICES = ['siteRequestsAllowed', 'siteRequestsDismissed'] as const;

export function siteRequestRoutes(app: FastifyInstance, kit: ConsoleKit) {
  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/site-requests', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const schools = await kit.services.schools.list(principal);
    const school = request.query.school ?? (principal.kind === 'region-admin' ? schools[0]?.id : undefined);
    const zone = schools.find((candidate) => candidate.id === (school ?? schools[0]?.id))?.timezone ?? DEFAULT_TIMEZONE;
    const requests = school || principal.kind !== 'region-admin' ? await kit.services.siteRequests.list(principal, school) : [];
    return kit.render(request, reply, {
      template: 'console/site-requests.eta',
      title: t.navSiteRequests,
      data: {
        requests: requests.map((entry) => ({ ...entry, who: entry.user ?? entry.mac ?? entry.ip, when: formatDateTime(language, entry.createdAt, zone) })),
        notice: notice(request.query.done, NOTICES, t, { time: request.query.until ?? '' }),
      },
    });
  });

  app.post<{ Body: Static<typeof DECIDE_BODY> }>('/site-requests/allow', { schema: { body: DECIDE_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const { request: allowed, until } = await kit.services.siteRequests.allow(principal, request.body.id);
    const zone = (await kit.services.schools.list(principal)).find((candidate) => candidate.id === allowed.school)?.timezone ?? DEFAULT_TIMEZONE;
    const query = new URLSearchParams({ done: 'siteRequestsAllowed', until: timeOfDay(languageOf(request), until, zone) });
    return reply.redirect(`/console/site-requests?${query.toString()}`, 303);
  });

  app.post<{ Body: Static<typeof DECIDE_BODY> }>('/site-requests/dismiss', { schema: { body: DECIDE_BODY } }, async (request, reply) => {
    await kit.services.siteRequests.dismiss(request.signedIn!.principal, request.body.id);
    return reply.redirect('/console/site-requests?done=siteRequestsDismissed', 303);
  });
}
