// /status while online: who, since when, time and data left, and a sign-out button that sends
// a Disconnect-Request to the access point.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formatBytes, formatDateTime, formatDuration } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import { allowanceOf } from '../allowance.js';
import { messagesOf, renderPage } from '../render.js';

// The only input: the language switch (where the sign-out form comes from is checked by same-origin.ts).
const LANGUAGE = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const SIGN_OUT = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });

export function statusRoutes(app: FastifyInstance) {
  app.get('/status', { schema: { querystring: LANGUAGE } }, async (request, reply) => {
    const t = messagesOf(request);
    const session = await app.store.sessions.byIp(undefined, request.ip);
    if (!session?.role) return renderPage(request, reply, { template: 'portal/message.eta', data: { heading: t.title, message: t.notOnline } });
    const { secondsLeft, bytesLeft } = await allowanceOf(app, session);
    const lang = languageOf(request);
    return renderPage(request, reply, {
      template: 'portal/status.eta',
      school: app.services.schools.get(session.school),
      data: {
        user: session.user ?? session.mac ?? '',
        since: formatDateTime(lang, session.startedAt, app.services.schools.timeZone(session.school)),
        timeLeft: secondsLeft === undefined ? t.unlimited : formatDuration(lang, secondsLeft),
        dataLeft: bytesLeft === undefined ? t.unlimited : formatBytes(lang, bytesLeft),
      },
    });
  });

  app.post('/logout', { schema: { body: SIGN_OUT } }, async (request, reply) => {
    const t = messagesOf(request);
    const session = await app.store.sessions.byIp(undefined, request.ip);
    // The answer does not wait for the access point (retries can take seconds); the outcome is
    // in the log and the audit trail.
    if (session) void app.services.enforcer.disconnect(session, 'signed out on the portal', `portal:${session.user ?? session.mac ?? request.ip}`).catch(app.services.failed('sign-out disconnect'));
    return renderPage(request, reply, { template: 'portal/message.eta', data: { heading: t.title, message: session ? t.signedOut : t.notOnline } });
  });
}
