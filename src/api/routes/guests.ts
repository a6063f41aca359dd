// Guest requests (docs/guests.md): a teacher lists and decides those addressed to them, a school
// admin the school's, a region admin all; another's is 404. The guest's contact details are in
// the answer for those who may decide, never in the audit log.
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Page, PageQuery, replies } from '../schemas.js';

const tags = ['guests'];
const Str = Type.String();
const Opt = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Optional(schema);
const State = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('denied'), Type.Literal('expired')]);
export const GuestRequest = Type.Object({
  id: Type.String({ description: 'The short request code the guest sees' }), mac: Str, nas: Str, school: Str, sponsor: Type.String({ description: 'The teacher asked (console account)' }),
  name: Str, contact: Opt(Str), reason: Opt(Str), state: State, createdAt: Str, expiresAt: Type.String({ description: 'When a pending request stops waiting' }),
  decidedAt: Opt(Str), decidedBy: Opt(Str), until: Opt(Type.String({ description: 'When an approval ends' })), denyReason: Opt(Str),
}, { title: 'GuestRequest' });
const Id = Type.Object({ id: Type.String({ maxLength: 16 }) });
const Approve = Type.Object({
  duration: Type.String({ maxLength: 16, description: '"1h", "2h", "90m", "2h30m" or "school-day"; at most the school\'s maximum' }),
}, { additionalProperties: false });
const Deny = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500, description: 'Shown to the guest' })) }, { additionalProperties: false });

export const guestRoutes: RouteModule = (api, actions) => {
  api.get('/guests', {
    schema: { tags, summary: 'Guest requests in scope, newest first', querystring: Type.Object({ state: Type.Optional(State), ...PageQuery }), response: replies({ 200: Page(GuestRequest, 'GuestRequestPage') }) },
  }, async (request) => page(await actions.guests.list(request.principal, request.query.state), request.query));

  api.post('/guests/:id/approve', {
    schema: { tags, summary: 'Approve a pending request for a duration', params: Id, body: Approve, response: replies({ 200: GuestRequest }) },
  }, async (request) => actions.guests.approve(request.principal, request.params.id, request.body.duration));

  api.post('/guests/:id/deny', {
    schema: { tags, summary: 'Decline a pending request, with an optional reason for the guest', params: Id, body: Deny, response: replies({ 200: GuestRequest }) },
  }, async (request) => actions.guests.deny(request.principal, request.params.id, request.body.reason));
};
