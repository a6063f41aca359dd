// The login form posts here; a successful sign-in answers with the page that releases the device
// through its access point (or, for UniFi, after the controller has let it in).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NasClient } from '../../store/nas.js';
import type { Release } from '../../vendors/portal/types.js';
import { loginPage } from '../pages.js';
import { messagesOf, renderPage } from '../render.js';
import type { SignIn } from '../sign-in.js';
import { authorizeOnController } from '../unifi-controller.js';
import { visitorOf } from '../visitor.js';

// Every field one string, so a duplicated or non-string field is a 400 page for every username
// alike. Where the form comes from is checked before (same-origin.ts, 403); the context is in its cookie.
const LOGIN_BODY = Type.Object({
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
    config: { rateLimit: { max: 3000, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const visitor = visitorOf(app, request, reply);
    if (!('nas' in visitor)) return visitor;
    const { context, nas } = visitor;
    const result = await signIn(context, nas, { username: body.username ?? '', password: body.password ?? '', remember: body.remember === '1' }, request.ip);
    if (!result.ok) {
      request.log.info({ user: result.username, mac: context.clientMac, nas: nas.address, reason: result.error }, 'portal: sign-in refused');
      // The dashboard's figures; a sign-in that succeeds is counted when the AP presents its credential over RADIUS.
      app.store.stats.countLogin(WRONG_CREDENTIALS.has(result.error) ? 'failed' : 'refuse', { school: nas.school }).catch(() => app.metrics.redisErrors.inc());
      return loginPage(app, request, reply, { context, nas }, { error: result.error, status: result.status, username: body.username ?? '' });
    }
    request.log.info({ user: result.user, mac: context.clientMac, vendor: context.vendor, nas: nas.address, remember: result.remember }, 'portal: signed in');
    return release(request, reply, result.release, nas);
  });
}
