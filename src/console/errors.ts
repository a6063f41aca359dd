// The console's answers to errors: a translated page in the console's layout, with the status
// the error carries, never a stack trace. A refusal (403 scope or CSRF, 404, 429) leaves one
// info line; a failure (5xx) one error line, and the browser learns nothing of it.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerRedisOutage } from '../errors.js';
import type { Messages } from '../i18n/languages.js';
import { PasswordBusyError } from '../security/password.js';
import { CsrfError } from './csrf.js';
import { consoleMessages, type Render } from './render.js';

/** What a browser is told to wait when the password checks are full. */
const BUSY_RETRY_SECONDS = 5;

function messageFor(error: FastifyError, status: number): keyof Messages {
  if (error instanceof CsrfError) return 'errorFormExpired';
  if (error instanceof PasswordBusyError) return 'errorBusy';
  if (status === 404) return 'errorNotFound';
  if (status === 403) return 'errorForbidden';
  if (status === 429) return 'errorRateLimited';
  if (status >= 500) return 'errorInternal';
  return 'errorCheckInput';
}

export function errorPage(render: Render, request: FastifyRequest, reply: FastifyReply, key: keyof Messages, status: number, detail?: string): FastifyReply {
  const t = consoleMessages(request);
  return render(request, reply, { template: 'console/error.eta', status, title: t.errorTitle, data: { message: t[key], detail } });
}

export function consoleErrors(app: FastifyInstance, render: Render): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A failover, a restart or a stall of Redis: try again in a moment, not the 500 page.
    if (answerRedisOutage(error, request, reply, 'console', { actor: request.signedIn?.account.username })) return errorPage(render, request, reply, 'errorUnavailable', 503);
    const status = error.validation ? 400 : (error.statusCode ?? 500);
    const key = messageFor(error, status);
    if (status >= 500 && !(error instanceof PasswordBusyError)) request.log.error({ err: error, route: request.routeOptions.url }, 'console: request failed');
    else {
      const url = request.url.split('?')[0];
      request.log.info({ status, code: error.code, reason: error.message, method: request.method, url, actor: request.signedIn?.account.username }, 'console: request refused');
    }
    if (error instanceof PasswordBusyError) void reply.header('retry-after', String(BUSY_RETRY_SECONDS));
    // Input problems name the field in English (the services' words); everything else says only what the catalogue says.
    return errorPage(render, request, reply, key, status, key === 'errorCheckInput' ? error.message : undefined);
  });

  app.setNotFoundHandler((request, reply) => {
    request.log.info({ status: 404, method: request.method, url: request.url.split('?')[0] }, 'console: no such page');
    return errorPage(render, request, reply, 'errorNotFound', 404);
  });
}
