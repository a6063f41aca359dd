// /console/login and /console/logout. The form posts its fields as one string each; a failed
// sign-in shows the form again with the reason in the person's language.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleSignIn } from '../sign-in.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

const LOGIN_BODY = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 512 })),
  username: Type.Optional(Type.String({ maxLength: 256 })),
  password: Type.Optional(Type.String({ maxLength: 1024 })),
  next: Type.Optional(Type.String({ maxLength: 512 })),
  lang: Type.Optional(Type.String({ maxLength: 8 })),
});
const LOGIN_QUERY = Type.Object({
  next: Type.Optional(Type.String({ maxLength: 512 })),
  lang: Type.Optional(Type.String({ maxLength: 8 })),
  ended: Type.Optional(Type.String({ maxLength: 8 })),
  out: Type.Optional(Type.String({ maxLength: 8 })),
});
const LOGOUT_BODY = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 512 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });

/** Where to go after signing in: a console page, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/console\/[\w\-/]*$/.test(next) ? next : '/console/';
}

/** Sign-in attempts a minute from one address, on top of the per-username lockout. */
export const SIGN_IN_PER_MINUTE = 20;

export function signInRoutes(app: FastifyInstance, kit: ConsoleKit, signIn: ConsoleSignIn) {
  function loginForm(request: FastifyRequest, reply: FastifyReply, extra: { status?: number; error?: string; notice?: string; username?: string; next?: string } = {}) {
    const t = consoleMessages(request);
    return kit.render(request, reply, {
      template: 'console/login.eta',
      status: extra.status ?? 200,
      title: t.consoleSignInHeading,
      data: { error: extra.error, notice: extra.notice, username: extra.username ?? '', next: safeNext(extra.next) },
    });
  }

  app.get<{ Querystring: Static<typeof LOGIN_QUERY> }>('/login', { schema: { querystring: LOGIN_QUERY }, config: { public: true } }, async (request, reply) => {
    if (request.signedIn) return reply.redirect(safeNext(request.query.next), 303);
    const t = consoleMessages(request);
    const notice = request.query.out ? t.consoleSignedOut : request.query.ended ? t.consoleSessionEnded : undefined;
    return loginForm(request, reply, { notice, next: request.query.next });
  });

  app.post<{ Body: Static<typeof LOGIN_BODY> }>('/login', {
    schema: { body: LOGIN_BODY },
    config: { public: true, rateLimit: { max: SIGN_IN_PER_MINUTE, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const result = await signIn(body.username ?? '', body.password ?? '', request.ip);
    if (!result.ok) {
      const t = consoleMessages(request);
      return loginForm(request, reply, { status: result.status, error: t[result.error], username: body.username ?? '', next: body.next });
    }
    kit.gate.begin(reply, result.session);
    return reply.redirect(safeNext(body.next), 303);
  });

  app.post('/logout', { schema: { body: LOGOUT_BODY } }, async (request, reply) => {
    const signedIn = request.signedIn!;
    await kit.sessions.end(signedIn.session.id, signedIn.account.username);
    request.log.info({ user: signedIn.account.username, source: request.ip }, 'console: signed out');
    await kit.audit.record({ actor: `account:${signedIn.account.username}`, action: 'console.sign-out', target: signedIn.account.username, school: signedIn.account.school, source: request.ip });
    kit.gate.forget(reply);
    return reply.redirect('/console/login?out=1', 303);
  });
}
