// The console under /console: teacher and admin pages, server-rendered (Eta, one layout, one
// stylesheet, no script), kk/ru/en. Encapsulated beside the portal and the API, with its own
// layout, CSP, session gate, CSRF hook over every unsafe request of the scope, rate limit held
// in Redis, and not-found and error handlers (a translated page, never a stack trace). Every
// action goes through a service with the signed-in person's principal.
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/env.js';
import { createCsrf } from '../console/csrf.js';
import { consoleErrors } from '../console/errors.js';
import type { ConsoleKit } from '../console/kit.js';
import { createRenderer } from '../console/render.js';
import { accountRoutes } from '../console/routes/accounts.js';
import { auditRoutes } from '../console/routes/audit.js';
import { dashboardRoutes } from '../console/routes/dashboard.js';
import { deviceRoutes } from '../console/routes/devices.js';
import { guestRoutes } from '../console/routes/guests.js';
import type { NavBadge } from '../console/nav.js';
import { sessionRoutes } from '../console/routes/sessions.js';
import { nasRoutes } from '../console/routes/nas.js';
import { policyRoutes } from '../console/routes/policies.js';
import { schoolRoutes } from '../console/routes/schools.js';
import { userImportRoutes } from '../console/routes/user-import.js';
import { userRoutes } from '../console/routes/users.js';
import { voucherRoutes } from '../console/routes/vouchers.js';
import { focusRoutes } from '../console/routes/focus.js';
import { siteRequestRoutes } from '../console/routes/site-requests.js';
import { contentRoutes } from '../console/routes/content.js';
import { signInRoutes } from '../console/routes/sign-in.js';
import { SESSION_COOKIE, createSessionGate } from '../console/session.js';
import { createConsoleSignIn } from '../console/sign-in.js';
import { serveStylesheet } from '../console/stylesheet.js';
import { RateLimitedError } from '../errors.js';
import { createServices } from '../services/index.js';
import { readiness } from './health.js';
import { createConsoleSessionStore, type ConsoleSessionLimits } from '../store/console-sessions.js';
import { createLoginGuard } from '../store/login-guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Counts beside menu entries (pending guest requests addressed to the viewer). */
    navBadges: Partial<Record<NavBadge, number>> | null;
  }
}

export const CONSOLE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Requests a minute from one address to the whole console (a school's staff may share one NAT). */
export const CONSOLE_RATE_PER_MINUTE = 600;

export interface ConsoleOptions {
  config: Config;
  sessionLimits?: ConsoleSessionLimits;
}

export default async function consolePlugin(app: FastifyInstance, { config, sessionLimits }: ConsoleOptions) {
  const secure = config.publicUrl.startsWith('https:');
  const views = fileURLToPath(new URL('../../views', import.meta.url));
  const log = app.log.child({ component: 'console' });
  const store = app.managementStore;
  const sessions = createConsoleSessionStore(app.redisManagement, sessionLimits);
  const gate = createSessionGate({ sessions, accounts: store.accounts, log, secure });
  const csrf = createCsrf({ secret: app.sessionSecret, publicOrigin: new URL(config.publicUrl).origin, secure });
  const stylesheet = serveStylesheet(app, fileURLToPath(new URL('../../public/console.css', import.meta.url)));
  const render = createRenderer({ csrf, stylesheet });
  const services = createServices({ store, enforcer: app.services.enforcer, admit: app.services.admit, health: () => readiness(app), log });
  const kit: ConsoleKit = { render, gate, sessions, audit: store.audit, services };

  await app.register(view, { engine: { eta: new Eta({ views, cache: true }) }, root: views, layout: 'layouts/console.eta', production: true });
  await app.register(rateLimit, app.webRateLimit('console', {
    max: CONSOLE_RATE_PER_MINUTE,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => new RateLimitedError(`too many requests: at most ${context.max} a minute`),
  }));
  consoleErrors(app, render);

  app.decorateRequest('signedIn', null);
  app.addHook('onRequest', async (request, reply) => {
    // same-origin, not helmet's no-referrer: a browser then names our origin on our own forms.
    void reply.header('content-security-policy', CONSOLE_CSP).header('referrer-policy', 'same-origin');
    request.signedIn = (await gate.load(request, reply)) ?? null;
    if (request.signedIn || request.is404 || request.routeOptions.config.public) return;
    const query = new URLSearchParams({ next: request.url.split('?')[0] ?? '/console/', ...(request.cookies[SESSION_COOKIE] ? { ended: '1' } : {}) });
    return reply.redirect(`/console/login?${query.toString()}`, 303);
  });
  app.decorateRequest('navBadges', null);
  // The menu's count of guest and site requests waiting for the viewer, on pages (not on form posts that redirect).
  app.addHook('preHandler', async (request) => {
    if (!request.signedIn || request.method !== 'GET') return;
    const { principal } = request.signedIn;
    request.navBadges = { guestsPending: (await services.guests.pendingCount(principal).catch(() => 0)) + (await services.siteRequests.pendingCount(principal).catch(() => 0)) };
  });
  // One check for every unsafe request in the scope, after the body is parsed and before it is validated.
  app.addHook('preValidation', async (request) => csrf.check(request, request.signedIn?.session.id));

  signInRoutes(app, kit, createConsoleSignIn({ accounts: store.accounts, guard: createLoginGuard(app.redisManagement), sessions, audit: store.audit, log }));
  dashboardRoutes(app, kit);
  sessionRoutes(app, kit);
  deviceRoutes(app, kit);
  guestRoutes(app, kit);
  voucherRoutes(app, kit);
  focusRoutes(app, kit);
  siteRequestRoutes(app, kit);
  contentRoutes(app, kit);
  auditRoutes(app, kit);
  accountRoutes(app, kit);
  schoolRoutes(app, kit);
  policyRoutes(app, kit);
  userRoutes(app, kit);
  userImportRoutes(app, kit);
  nasRoutes(app, kit, { config });
}
