// API tokens: made for oneself (or, by managers, for an account in scope), listed, revoked.
// The plain token is in the creation answer once and stored nowhere.
import { Type } from '@sinclair/typebox';
import { tokenExpiry } from '../../services/tokens.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { ApiToken, Empty, Page, PageQuery, replies } from '../schemas.js';

const tags = ['tokens'];
const NewToken = Type.Object({
  username: Type.Optional(Type.String({ maxLength: 64, description: 'The account the token acts as (default: the caller)' })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  expires: Type.Optional(Type.String({ maxLength: 40, description: '90d (the default), a date (2027-06-30) or never' })),
}, { additionalProperties: false });

export const tokenRoutes: RouteModule = (api, actions) => {
  api.get('/tokens', { schema: { tags, summary: 'API tokens in scope (never their secrets)', querystring: Type.Object({ user: Type.Optional(Type.String({ maxLength: 64 })), ...PageQuery }), response: replies({ 200: Page(ApiToken, 'ApiTokenPage') }) } }, async (request) =>
    page(await actions.tokens.list(request.principal, request.query.user === undefined ? {} : { user: request.query.user }), request.query));

  api.post('/tokens', { schema: { tags, summary: 'Create an API token (the token is shown once)', body: NewToken, response: replies({ 201: Type.Composite([ApiToken, Type.Object({ token: Type.String() })]) }) } }, async (request, reply) => {
    const { expires, ...rest } = request.body;
    const expiresAt = tokenExpiry(expires);
    return reply.code(201).send(await actions.tokens.create(request.principal, { ...rest, ...(expiresAt === undefined ? {} : { expiresAt }) }));
  });

  api.delete('/tokens/:id', { schema: { tags, summary: 'Revoke an API token', params: Type.Object({ id: Type.String({ maxLength: 32 }) }), response: replies({ 204: Empty }) } }, async (request, reply) => {
    await actions.tokens.revoke(request.principal, request.params.id);
    return reply.code(204).send(null);
  });
};
