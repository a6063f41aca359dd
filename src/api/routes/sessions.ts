// Live sessions: filtered and paged; DELETE ends one now (Disconnect-Request to its NAS). The id
// is the session's Acct-Session-Id or "<nas>|<Acct-Session-Id>", URL-encoded.
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Enforcement, Page, PageQuery, replies, Session } from '../schemas.js';

const tags = ['sessions'];
const text = () => Type.Optional(Type.String({ maxLength: 100 }));
const filter = { school: text(), user: text(), mac: text(), nas: text(), role: text() };

export const sessionRoutes: RouteModule = (api, actions) => {
  api.get('/sessions', { schema: { tags, summary: 'Live sessions in scope, filtered', querystring: Type.Object({ ...filter, ...PageQuery }), response: replies({ 200: Page(Session, 'SessionPage') }) } }, async (request) => {
    const { limit, offset, ...wanted } = request.query;
    return page(await actions.sessions.list(request.principal, wanted), { limit, offset });
  });

  api.delete('/sessions/:id', {
    schema: { tags, summary: 'End a live session now (Disconnect-Request)', params: Type.Object({ id: Type.String({ maxLength: 300 }) }), response: replies({ 200: Enforcement }) },
  }, async (request) => actions.sessions.kick(request.principal, request.params.id));
};
