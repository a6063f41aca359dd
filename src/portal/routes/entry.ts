// The way in: the AP's redirect lands on "/" (or UniFi's /guest/s/<site>/) and gets the login
// page, once the link is shown to belong to a known access point (and, for vendors that sign
// their redirect, to carry a valid signature). The language links come back here with the
// signed context alone.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.js';
import { isCodedError } from '../../errors.js';
import { detectDialect } from '../../vendors/portal/index.js';
import { accessPointOf } from '../access-point.js';
import { signContext, verifyContext, type PortalContext } from '../context.js';
import { loginPage, messagePage, notOurAccessPointPage } from '../pages.js';
import { safeContinueUrl } from '../urls.js';

// Every redirect parameter is one string: a duplicated one (an array) or an over-long one is a
// 400 page, not a crash in a vendor's parser.
const REDIRECT_QUERY = Type.Record(Type.String(), Type.String({ maxLength: 2048 }));
const UNIFI_PARAMS = Type.Object({ site: Type.String({ maxLength: 64 }) });

type Query = Record<string, string>;

/** The URL the browser asked for, spelled as the AP may have addressed the portal (its
 * configured portal URL, with or without the slash before "?"): what a signature covers. */
function askedUrls(request: FastifyRequest, publicUrl: string): string[] {
  const bases = [new URL(publicUrl).origin, `${request.protocol}://${request.host}`];
  const paths = request.url.startsWith('/?') ? [request.url, request.url.slice(1)] : [request.url];
  return bases.flatMap((base) => paths.map((path) => `${base}${path}`));
}

export function entryRoutes(app: FastifyInstance, config: Config) {
  async function entry(request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) {
    const query = request.query;
    if (query.ctx) {
      const context = await verifyContext(query.ctx, app.sessionSecret);
      if (typeof context === 'string') return messagePage(request, reply, context === 'expired' ? 'errorExpiredPage' : 'errorBadRequest', 400);
      const point = accessPointOf(app.nasDirectory, context);
      if ('refused' in point) return notOurAccessPointPage(request, reply, context, point.refused);
      return loginPage(app, request, reply, { context, token: query.ctx, nas: point.nas });
    }
    const path = request.url.split('?')[0] ?? '/';
    const dialect = detectDialect(query, path);
    if (!dialect) {
      const online = await app.store.sessions.byIp(undefined, request.ip);
      return online ? reply.redirect('/status') : messagePage(request, reply, 'notOnline', 200);
    }
    let context: PortalContext;
    try {
      context = dialect.parse(query, path);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      request.log.info({ vendor: dialect.vendor, reason: error.message }, 'portal: unusable redirect parameters');
      return messagePage(request, reply, 'errorBadRequest', 400);
    }
    const point = accessPointOf(app.nasDirectory, context);
    if ('refused' in point) return notOurAccessPointPage(request, reply, context, point.refused);
    if (dialect.authentic && !dialect.authentic(askedUrls(request, config.publicUrl), point.nas)) {
      request.log.info({ vendor: context.vendor, nas: point.nas.address, reason: 'bad-signature' }, 'portal: link refused, its signature is missing or wrong');
      return messagePage(request, reply, 'errorBadRequest', 400);
    }
    const { originalUrl: asked, ...rest } = context;
    const originalUrl = safeContinueUrl(asked, config.publicUrl);
    context = originalUrl ? { ...rest, originalUrl } : rest;
    return loginPage(app, request, reply, { context, token: await signContext(context, app.sessionSecret), nas: point.nas });
  }

  app.get('/', { schema: { querystring: REDIRECT_QUERY } }, entry);
  app.get('/guest/s/:site/', { schema: { querystring: REDIRECT_QUERY, params: UNIFI_PARAMS } }, entry);
}
