// Bearer tokens: every API request but the OpenAPI document carries
// `Authorization: Bearer mk_<id>_<secret>` and acts as the token's account (as the account is
// now). No cookies, so no CSRF: a browser never sends a bearer token on its own.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors.js';
import { auditActor, type Principal } from '../services/principal.js';
import type { createTokenAuthenticator } from '../services/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who acts, from the bearer token (null only on public routes). */
    principal: Principal;
    /** The audit log's name for them ("account:aliya"). */
    actor: string;
  }
  interface FastifyContextConfig {
    /** Answered without a token (the OpenAPI document). */
    public?: boolean;
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,200})$/;

/** The token id a request names (for rate limiting before the token is checked), if well formed. */
export function claimedTokenId(request: FastifyRequest): string | undefined {
  return /^Bearer mk_([0-9a-f]{16})_/.exec(request.headers.authorization ?? '')?.[1];
}

export function bearerAuth(app: FastifyInstance, authenticate: ReturnType<typeof createTokenAuthenticator>) {
  app.decorateRequest('principal', null as never);
  app.decorateRequest('actor', '');
  // preParsing: after the rate limit (a route's onRequest), so refused tokens count against it
  // too, and before a body is read, so nobody without a token makes the server parse one.
  app.addHook('preParsing', async (request) => {
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (bearer === undefined) throw new UnauthorizedError('send an API token: Authorization: Bearer <token>');
    const { principal, token } = await authenticate(bearer, request.ip);
    request.principal = principal;
    request.actor = auditActor(principal);
    request.log = request.log.child({ actor: request.actor, token: token.id });
  });
}
