// The captive portal: pages (Eta, one layout, inline CSS, no external assets), the landing page
// rendered once per school and language, CSRF by where each form comes from (no tokens), a
// strict CSP with hashes, generous per-IP limits on sign-ins held in Redis (a school may share
// one NAT address; the landing page has none: it costs less than the Redis round trip), OS
// probes and the RFC 8908 API. Cookies, helmet and compression come from the shared web plugin.
// Encapsulated: its hooks, its not-found and error handlers (a translated page, never a stack
// trace or JSON) apply to portal routes only.
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/env.js';
import { answerRedisOutage } from '../errors.js';
import { CATALOGUES } from '../i18n/languages.js';
import { portalCsp, type PortalCsp } from '../portal/csp.js';
import { type EarlyAnswerSlot } from '../portal/early-answer.js';
import { createLandingPages } from '../portal/landing.js';
import { createLandingDirect } from '../portal/landing-direct.js';
import { requestLogger } from '../portal/request-logger.js';
import { loginFormData, messagePage } from '../portal/pages.js';
import { layoutData } from '../portal/render.js';
import { blockRoutes, foreignPostReason } from '../portal/routes/block.js';
import { entryRoutes } from '../portal/routes/entry.js';
import { guestRoutes } from '../portal/routes/guest.js';
import { loginRoutes } from '../portal/routes/login.js';
import { probeRoutes } from '../portal/routes/probes.js';
import { statusRoutes } from '../portal/routes/status.js';
import { voucherRoutes } from '../portal/routes/voucher.js';
import { crossSiteReason, CrossSiteError } from '../portal/same-origin.js';
import { createSignIn } from '../portal/sign-in.js';
import { portalAddress } from '../portal/urls.js';
import { PasswordBusyError } from '../security/password.js';
import { createLoginGuard } from '../store/login-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    portalCsp: PortalCsp;
  }
}

const REFERRER_POLICY = 'same-origin';

/** What a browser is told to wait when the portal's password checks are full. */
const BUSY_RETRY_SECONDS = 5;

export interface PortalOptions {
  config: Config;
  /** The server's handler in front of Fastify (app.ts): the landing page's direct answer goes there. */
  early?: EarlyAnswerSlot;
}

export default async function portal(app: FastifyInstance, { config, early }: PortalOptions) {
  const views = fileURLToPath(new URL('../../views', import.meta.url));
  const address = portalAddress(config.publicUrl);
  app.setChildLoggerFactory(requestLogger);
  // Before the body is read: a form from elsewhere changes nothing and costs no parsing. A page
  // under a name other than the portal's is refused first, but for the block page's form (DNS
  // rebinding, docs/portal.md).
  app.addHook('onRequest', (request, _reply, done) => {
    const reason = foreignPostReason(request, address.hostname) ?? crossSiteReason(request, [address.origin, `${request.protocol}://${request.host}`]);
    if (reason === undefined) return done();
    request.log.info({ method: request.method, url: request.url.split('?')[0], client: request.ip, reason }, 'portal: form refused, not posted from the portal');
    done(new CrossSiteError(reason));
  });
  // The CSP is static (hashes, not nonces). Referrer-Policy same-origin instead of helmet's
  // no-referrer: under no-referrer a browser sends "Origin: null" with a same-origin form over
  // plain HTTP (Fetch, "serializing a request origin"), where Sec-Fetch-Site is not sent either,
  // and the form could not be told from a forged one. Other sites still get no Referer.
  const csp = portalCsp(views);
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', csp.header);
    void reply.header('referrer-policy', REFERRER_POLICY);
    done(null, payload);
  });
  app.decorate('portalCsp', csp);
  await app.register(rateLimit, app.webRateLimit('portal', { global: false }));
  await app.register(view, {
    engine: { eta: new Eta({ views, cache: true }) },
    root: views,
    layout: 'layouts/portal.eta',
    production: true,
  });

  const signIn = createSignIn({
    users: app.store.users,
    guard: createLoginGuard(app.redis),
    admit: app.services.admit,
    tokens: app.store.tokens,
    policies: app.services.policies,
    now: Date.now,
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof PasswordBusyError) {
      request.log.info({ client: request.ip, reason: 'password-checks-busy' }, 'portal: sign-in refused, try again');
      void reply.header('retry-after', String(BUSY_RETRY_SECONDS));
      return messagePage(request, reply, 'errorBusy', 503);
    }
    // A failover, a restart or a stall of Redis: the person is asked to try again, never shown the 500 page.
    if (answerRedisOutage(error, request, reply, 'portal', { client: request.ip })) return messagePage(request, reply, 'errorUnavailable', 503);
    if (error.validation) {
      request.log.info({ reason: error.message }, 'portal: malformed request refused');
      return messagePage(request, reply, 'errorBadRequest', 400);
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return messagePage(request, reply, 'errorInternal', 500);
    }
    if (status === 429) return messagePage(request, reply, 'errorTooMany', 429);
    if (status === 404) return messagePage(request, reply, 'errorNotFound', 404);
    // A form from another site: said as a page to start again, like every refused form.
    return messagePage(request, reply, status === 403 ? 'errorExpiredPage' : 'errorBadRequest', status);
  });
  app.setNotFoundHandler((request, reply) => {
    request.log.info({ method: request.method, url: request.url.split('?')[0] }, 'portal: no such page');
    return messagePage(request, reply, 'errorNotFound', 404);
  });
  // First: a blocked host's page (it lets probes, the portal's own host and captive devices through).
  blockRoutes(app, address);
  const landing = createLandingPages(async (school, { lang, ...look }) => ({
    html: await app.view('portal/login.eta', { ...layoutData(lang, '/', school), ...loginFormData(CATALOGUES[lang], look) }),
    csp: school?.colour ? csp.build({ colour: school.colour }) : csp.header,
  }));
  // Referrer-Policy comes from the onSend hook above, as on every portal response.
  const common = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', vary: 'Accept-Encoding, Accept-Language, Cookie' };
  entryRoutes(app, address, landing, { common });
  // The same answer before Fastify's hooks (landing-direct.ts); not at debug, where every request
  // writes its request line from app.ts's hook.
  if (early && !(app.log as Logger).isLevelEnabled('debug')) {
    early.set(createLandingDirect(app, { portal: address, landing, common, referrerPolicy: REFERRER_POLICY }));
    // Closing: Fastify answers 503 from here on (return503OnClosing), the landing page's included.
    app.addHook('preClose', (done) => {
      early.set(undefined);
      done();
    });
  }
  loginRoutes(app, signIn);
  guestRoutes(app);
  voucherRoutes(app);
  statusRoutes(app);
  probeRoutes(app, config);
}
