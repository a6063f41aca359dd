// Site requests (docs/content.md, "The block page"): what students asked for from the block page.
// Teachers and admins of the school list and decide them, region admins every school's; another
// school's is 404, a second decision 409. The same service calls as /console/guests.
import { Type } from '@sinclair/typebox';
import type { SiteRequest as StoredRequest } from '../../store/site-requests.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Page, PageQuery, replies } from '../schemas.js';

const tags = ['site-requests'];
const Str = Type.String();
const Opt = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Optional(schema);
const Time = Type.String({ format: 'date-time' });
const State = Type.Union([Type.Literal('pending'), Type.Literal('allowed'), Type.Literal('denied')]);
export const SiteRequest = Type.Object({
  id: Str, school: Str, domain: Type.String({ description: 'The site asked for (its subdomains come with it)' }),
  user: Opt(Type.String({ description: 'Who asked, when the device had a login' })), ip: Str, mac: Opt(Str), reason: Opt(Type.String({ description: 'The student’s words' })),
  rule: Type.String({ description: 'Why it was blocked: a category, "focus", a rule' }), state: State, createdAt: Time,
  decidedAt: Opt(Time), decidedBy: Opt(Str), until: Opt(Type.String({ format: 'date-time', description: 'When an allowed site closes again' })),
  span: Opt(Type.String({ description: '"lesson" or "day"' })), denyReason: Opt(Str),
}, { title: 'SiteRequest' });
const Id = Type.Object({ id: Type.String({ maxLength: 32 }) });
const Allow = Type.Object({
  for: Type.Union([Type.Literal('lesson'), Type.Literal('day')], { description: 'lesson: until the requester’s lesson focus ends (else 45 minutes); day: until midnight at the school' }),
}, { additionalProperties: false });
const Deny = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 300 })) }, { additionalProperties: false });

const iso = (ms: number) => new Date(ms).toISOString();
/** Times as ISO strings, like every other reply. */
function shape({ createdAt, decidedAt, until, ...rest }: StoredRequest) {
  return { ...rest, createdAt: iso(createdAt), ...(decidedAt === undefined ? {} : { decidedAt: iso(decidedAt) }), ...(until === undefined ? {} : { until: iso(until) }) };
}

export const siteRequestRoutes: RouteModule = (api, actions) => {
  api.get('/site-requests', {
    schema: {
      tags, summary: 'Site requests in scope, newest first',
      querystring: Type.Object({ state: Type.Optional(State), school: Type.Optional(Type.String({ maxLength: 63 })), ...PageQuery }),
      response: replies({ 200: Page(SiteRequest, 'SiteRequestPage') }),
    },
  }, async (request) => page((await actions.siteRequests.list(request.principal, { school: request.query.school, state: request.query.state })).map(shape), request.query));

  api.get('/site-requests/:id', { schema: { tags, summary: 'One site request', params: Id, response: replies({ 200: SiteRequest }) } }, async (request) =>
    shape(await actions.siteRequests.get(request.principal, request.params.id)));

  api.post('/site-requests/:id/allow', {
    schema: { tags, summary: 'Allow the site at the school for the rest of the lesson or the day', params: Id, body: Allow, response: replies({ 200: SiteRequest }) },
  }, async (request) => shape(await actions.siteRequests.allow(request.principal, request.params.id, request.body.for)));

  api.post('/site-requests/:id/deny', {
    schema: { tags, summary: 'Deny a pending site request, with an optional reason', params: Id, body: Deny, response: replies({ 200: SiteRequest }) },
  }, async (request) => shape(await actions.siteRequests.deny(request.principal, request.params.id, request.body.reason)));
};
