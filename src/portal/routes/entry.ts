// The way in: the AP's redirect lands on "/" (or UniFi's /guest/s/<site>/), the login page
// posts to /login, and a successful login answers with the page that releases the device.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.js';
import { isCodedError } from '../../errors.js';
import type { NasClient } from '../../store/nas.js';
import { detectDialect } from '../../vendors/portal/index.js';
import type { Release } from '../../vendors/portal/types.js';
import { signContext, verifyContext, type PortalContext } from '../context.js';
import { messagesOf, renderPage } from '../render.js';
import { isPrivateMac, type SignIn } from '../sign-in.js';
import { authorizeOnController } from '../unifi-controller.js';
import { safeContinueUrl } from '../urls.js';

interface LoginBody {
  ctx?: string;
  username?: string;
  password?: string;
  remember?: string;
  lang?: string;
}

export function entryRoutes(app: FastifyInstance, config: Config, signIn: SignIn) {
  const nasOf = (context: PortalContext): NasClient | undefined => app.nasDirectory.byNasId(context.nasId);
  const schoolOf = (nas: NasClient | undefined) => app.services.schools.get(nas?.school);

  async function loginPage(request: FastifyRequest, reply: FastifyReply, context: PortalContext, token: string, extra: { error?: string; status?: number; username?: string } = {}) {
    const nas = nasOf(context);
    const rememberByDefault = (await app.services.policies.effective('student', nas?.school)).rememberByDefault ?? false;
    return renderPage(request, reply, {
      template: 'portal/login.eta',
      status: extra.status ?? 200,
      school: schoolOf(nas),
      keep: { ctx: token },
      data: {
        ctx: token,
        csrf: reply.generateCsrf(),
        error: extra.error,
        username: extra.username ?? '',
        canRemember: context.clientMac !== undefined,
        remember: rememberByDefault,
        privateMac: isPrivateMac(context.clientMac),
      },
    });
  }

  function message(request: FastifyRequest, reply: FastifyReply, key: 'errorBadRequest' | 'errorExpiredPage' | 'notOnline', status: number) {
    const t = messagesOf(request);
    return renderPage(request, reply, { template: 'portal/message.eta', status, data: { heading: t.heading, message: t[key], alert: status >= 400 } });
  }

  async function entry(request: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply) {
    const query = request.query;
    if (query.ctx) {
      const context = await verifyContext(query.ctx, app.sessionSecret);
      if (typeof context === 'string') return message(request, reply, context === 'expired' ? 'errorExpiredPage' : 'errorBadRequest', 400);
      return loginPage(request, reply, context, query.ctx);
    }
    const path = request.url.split('?')[0] ?? '/';
    const dialect = detectDialect(query, path);
    if (!dialect) {
      const online = await app.store.sessions.byIp(undefined, request.ip);
      return online ? reply.redirect('/status') : message(request, reply, 'notOnline', 200);
    }
    let context: PortalContext;
    try {
      context = dialect.parse(query, path);
    } catch (error) {
      if (!isCodedError(error)) throw error;
      request.log.info({ vendor: dialect.vendor, reason: error.message }, 'portal: unusable redirect parameters');
      return message(request, reply, 'errorBadRequest', 400);
    }
    const { originalUrl: asked, ...rest } = context;
    const originalUrl = safeContinueUrl(asked, config.publicUrl);
    context = originalUrl ? { ...rest, originalUrl } : rest;
    // Never a dead end: an AP Mektep does not know still gets the page, and the log says so.
    if (!nasOf(context)) request.log.warn({ vendor: context.vendor, nasId: context.nasId }, 'portal: unknown NAS identifier');
    return loginPage(request, reply, context, await signContext(context, app.sessionSecret));
  }

  app.get('/', entry);
  app.get('/guest/s/:site/', entry);

  app.post<{ Body: LoginBody }>('/login', { preHandler: (request, reply, done) => app.csrfProtection(request, reply, done), config: { rateLimit: { max: 3000, timeWindow: '1 minute' } } }, async (request, reply) => {
    const body = request.body ?? {};
    const context = await verifyContext(body.ctx ?? '', app.sessionSecret);
    if (typeof context === 'string') return message(request, reply, context === 'expired' ? 'errorExpiredPage' : 'errorBadRequest', 400);
    const nas = nasOf(context);
    const result = await signIn(context, nas, { username: body.username ?? '', password: body.password ?? '', remember: body.remember === '1' });
    if (!result.ok) return loginPage(request, reply, context, body.ctx!, { error: messagesOf(request)[result.error], status: result.status, username: body.username ?? '' });
    request.log.info({ user: result.user, vendor: context.vendor, nas: nas?.address, remembered: result.remembered }, 'portal: signed in');
    return release(request, reply, result.release, nas);
  });

  async function release(request: FastifyRequest, reply: FastifyReply, released: Release, nas: NasClient | undefined) {
    if (released.kind === 'controller') {
      await authorizeOnController(released.request, nas!);
      const t = messagesOf(request);
      return renderPage(request, reply, { template: 'portal/message.eta', school: schoolOf(nas), data: { heading: t.statusHeading, message: t.connectingHint, continueUrl: released.then } });
    }
    // The release form goes to the access point: allow exactly that origin for form submission.
    void reply.header('content-security-policy', app.portalCsp.withFormAction(new URL(released.action).origin));
    return renderPage(request, reply, { template: 'portal/release.eta', school: schoolOf(nas), data: { release: released } });
  }
}
