// The login form posts here; a successful sign-in answers with the page that releases the device
// through its access point (or, for UniFi, after the controller has let it in).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NasClient } from '../../store/nas.js';
import type { Release } from '../../vendors/portal/types.js';
import { accessPointOf } from '../access-point.js';
import { verifyContext } from '../context.js';
import { messagesOf, renderPage } from '../render.js';
import { loginPage, messagePage, notOurAccessPointPage } from '../pages.js';
import type { SignIn } from '../sign-in.js';
import { authorizeOnController } from '../unifi-controller.js';

// Every field one string, so a duplicated or non-string field is a 400 page for every username
// alike. The CSRF token is left to the CSRF check (403).
const LOGIN_BODY = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 512 })),
  ctx: Type.Optional(Type.String({ maxLength: 8192 })),
  username: Type.Optional(Type.String({ maxLength: 256 })),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  remember: Type.Optional(Type.String({ maxLength: 8 })),
  lang: Type.Optional(Type.String({ maxLength: 8 })),
});

/** Refusals the dashboard counts as failed logins; the others were right credentials refused by policy or account state. */
const WRONG_CREDENTIALS = new Set(['errorInvalid', 'errorUserLocked', 'errorDeviceLocked']);

export function loginRoutes(app: FastifyInstance, signIn: SignIn) {
  const schoolOf = (nas: NasClient) => app.services.schools.get(nas.school);

  async function release(request: FastifyRequest, reply: FastifyReply, released: Release, nas: NasClient) {
    if (released.kind === 'controller') {
      await authorizeOnController(released.request, nas);
      const t = messagesOf(request);
      return renderPage(request, reply, { template: 'portal/message.eta', school: schoolOf(nas), data: { heading: t.statusHeading, message: t.connectingHint, continueUrl: released.then } });
    }
    // The release form goes to the access point: allow exactly that origin for form submission.
    return renderPage(request, reply, { template: 'portal/release.eta', school: schoolOf(nas), formAction: new URL(released.action).origin, data: { release: released } });
  }

  app.post<{ Body: Static<typeof LOGIN_BODY> }>('/login', {
    schema: { body: LOGIN_BODY },
    preHandler: (request, reply, done) => app.csrfProtection(request, reply, done),
    config: { rateLimit: { max: 3000, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const context = await verifyContext(body.ctx ?? '', app.sessionSecret);
    if (typeof context === 'string') return messagePage(request, reply, context === 'expired' ? 'errorExpiredPage' : 'errorBadRequest', 400);
    // Checked again: the NAS record may have changed since the page was given.
    const point = accessPointOf(app.nasDirectory, context);
    if ('refused' in point) return notOurAccessPointPage(request, reply, context, point.refused);
    const { nas } = point;
    const result = await signIn(context, nas, { username: body.username ?? '', password: body.password ?? '', remember: body.remember === '1' }, request.ip);
    if (!result.ok) {
      request.log.info({ user: result.username, mac: context.clientMac, nas: nas.address, reason: result.error }, 'portal: sign-in refused');
      // The dashboard's figures; a sign-in that succeeds is counted when the AP presents its credential over RADIUS.
      app.store.stats.countLogin(WRONG_CREDENTIALS.has(result.error) ? 'failed' : 'refuse', { school: nas.school }).catch(() => app.metrics.redisErrors.inc());
      return loginPage(app, request, reply, { context, token: body.ctx!, nas }, { error: result.error, status: result.status, username: body.username ?? '' });
    }
    request.log.info({ user: result.user, mac: context.clientMac, vendor: context.vendor, nas: nas.address, remember: result.remember }, 'portal: signed in');
    return release(request, reply, result.release, nas);
  });
}
