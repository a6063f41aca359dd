// The way in: the AP's redirect lands on "/" (or UniFi's /guest/s/<site>/) and gets the login
// page, once the link is shown to belong to a known access point (and, for vendors that sign
// their redirect, to carry a valid signature). The page is the cached one of its school and
// language (landing.ts); the redirect's values go into the signed context cookie. The language
// links come back to "/" with that cookie alone.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCodedError } from '../../errors.js';
import { languageOf } from '../../i18n/request.js';
import type { NasClient } from '../../store/nas.js';
import { detectDialect } from '../../vendors/portal/index.js';
import type { PortalDialect } from '../../vendors/portal/types.js';
import { accessPointOf } from '../access-point.js';
import { CONTEXT_COOKIE, contextCookie, signContext, verifyContext, type PortalContext } from '../context.js';
import { encodingFor, type LandingPages } from '../landing.js';
import { loginLook, messagePage, notOurAccessPointPage } from '../pages.js';
import { rememberLanguage } from '../render.js';
import { withSafeContinueUrl, type PortalAddress } from '../urls.js';

// Every redirect parameter is one string: a duplicated one (an array) or an over-long one is a
// 400 page, not a crash in a vendor's parser.
const REDIRECT_QUERY = Type.Record(Type.String(), Type.String({ maxLength: 2048 }));
const UNIFI_PARAMS = Type.Object({ site: Type.String({ maxLength: 64 }) });

type Query = Record<string, string>;

/** The URL the browser asked for, spelled as the AP may have addressed the portal (its
 * configured portal URL, with or without the slash before "?"): what a signature covers. */
function askedUrls(request: FastifyRequest, publicOrigin: string): string[] {
  const bases = [publicOrigin, `${request.protocol}://${request.host}`];
  const paths = request.url.startsWith('/?') ? [request.url, request.url.slice(1)] : [request.url];
  return bases.flatMap((base) => paths.map((path) => `${base}${path}`));
}

/** Whether this NAS's redirects must carry a signature. A dialect that signs nothing, or a Chilli
 * without a uamsecret, is authentic with no URL at all, and the asked URLs need not be spelled
 * out; a signature is valid when any spelling carries it, so more URLs never make one less so. */
export function signatureNeeded(dialect: PortalDialect, nas: NasClient): boolean {
  return dialect.authentic !== undefined && !dialect.authentic([], nas);
}

export interface LandingHeaders {
  /** Every header of the landing page but its CSP, cookies, encoding, length, the web plugin's
   * security headers and the portal's Referrer-Policy (its onSend hook): built once. */
  common: Record<string, string>;
}

export function entryRoutes(app: FastifyInstance, portal: PortalAddress, landing: LandingPages, headers: LandingHeaders) {

  /** The cached page for this school, language and look; `cookie` when the context is new. */
  async function landingPage(request: FastifyRequest, reply: FastifyReply, context: PortalContext, nas: NasClient, cookie?: string) {
    const look = { lang: languageOf(request), ...(await loginLook(app, context, nas)) };
    const school = app.services.schools.get(nas.school);
    const page = landing.ready(school, look) ?? (await landing.get(school, look));
    const encoding = encodingFor(request.headers['accept-encoding']);
    rememberLanguage(request, reply);
    void reply.headers(headers.common).header('content-security-policy', page.csp);
    if (cookie) void reply.header('set-cookie', cookie);
    if (encoding !== 'identity') void reply.header('content-encoding', encoding);
    return reply.send(page.bodies[encoding]);
  }

  async function entry(request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) {
    const query = request.query;
    const path = request.url.split('?')[0] ?? '/';
    const dialect = detectDialect(query, path);
    if (!dialect) {
      // The language links, and any later visit within the context's life: the page again.
      const kept = verifyContext(request.cookies[CONTEXT_COOKIE], app.sessionSecret);
      const point = typeof kept === 'string' ? undefined : accessPointOf(app.nasDirectory, kept);
      if (typeof kept !== 'string' && point && 'nas' in point) return landingPage(request, reply, kept, point.nas);
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
    if (signatureNeeded(dialect, point.nas) && !dialect.authentic!(askedUrls(request, portal.origin), point.nas)) {
      request.log.info({ vendor: context.vendor, nas: point.nas.address, reason: 'bad-signature' }, 'portal: link refused, its signature is missing or wrong');
      return messagePage(request, reply, 'errorBadRequest', 400);
    }
    context = withSafeContinueUrl(context, portal);
    return landingPage(request, reply, context, point.nas, contextCookie(signContext(context, app.sessionSecret), portal.secure));
  }

  // Compressed once with the page (`headers.common` prebuilt too): the compression plugin would redo it on every request.
  const options = { schema: { querystring: REDIRECT_QUERY }, compress: false as const };
  app.get('/', options, entry);
  app.get('/guest/s/:site/', { ...options, schema: { ...options.schema, params: UNIFI_PARAMS } }, entry);
}
