// The captive portal: pages (Eta, one layout, inline CSS, no external assets), CSRF on every
// form, a strict CSP with hashes, generous per-IP limits held in Redis (a school may share one
// NAT address), OS probes and the RFC 8908 API. Cookies, helmet and compression come from the
// shared web plugin. Encapsulated: its hooks, its not-found and error handlers (a translated
// page, never a stack trace or JSON) apply to portal routes only.
import { fileURLToPath } from 'node:url';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Config } from '../config/env.js';
import { portalCsp, type PortalCsp } from '../portal/csp.js';
import { messagePage } from '../portal/pages.js';
import { blockRoutes } from '../portal/routes/block.js';
import { entryRoutes } from '../portal/routes/entry.js';
import { guestRoutes } from '../portal/routes/guest.js';
import { loginRoutes } from '../portal/routes/login.js';
import { probeRoutes } from '../portal/routes/probes.js';
import { statusRoutes } from '../portal/routes/status.js';
import { voucherRoutes } from '../portal/routes/voucher.js';
import { createSignIn } from '../portal/sign-in.js';
import { PasswordBusyError } from '../security/password.js';
import { createLoginGuard } from '../store/login-guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    portalCsp: PortalCsp;
  }
}

/** What a browser is told to wait when the portal's password checks are full. */
const BUSY_RETRY_SECONDS = 5;

export interface PortalOptions {
  config: Config;
}

export default async function portal(app: FastifyInstance, { config }: PortalOptions) {
  const secure = config.publicUrl.startsWith('https:');
  const views = fileURLToPath(new URL('../../views', import.meta.url));
  await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieKey: 'mk_csrf', cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true } });
  // The CSP is static (hashes, not nonces).
  const csp = portalCsp(views);
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', csp.header);
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
    // A missing or stale CSRF token is almost always a page left open too long.
    if (status === 404) return messagePage(request, reply, 'errorNotFound', 404);
    return messagePage(request, reply, status === 403 ? 'errorExpiredPage' : 'errorBadRequest', status);
  });
  app.setNotFoundHandler((request, reply) => {
    request.log.info({ method: request.method, url: request.url.split('?')[0] }, 'portal: no such page');
    return messagePage(request, reply, 'errorNotFound', 404);
  });
  // First: a blocked host's page (it lets probes, the portal's own host and captive devices through).
  blockRoutes(app, config);
  entryRoutes(app, config);
  loginRoutes(app, signIn);
  guestRoutes(app);
  voucherRoutes(app);
  statusRoutes(app);
  probeRoutes(app, config);
}
