// The API's answers to errors: always `{"error":{"code","message"}}` with the status of the coded
// error (src/errors.ts), 400 for input the schemas refuse, never a stack trace. Each refusal
// leaves one info line; a failure (5xx) one error line, and the client learns nothing of it.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerRedisOutage, isCodedError, UNAVAILABLE_RETRY_SECONDS } from '../errors.js';

interface Body {
  code: string;
  message: string;
  lines?: unknown[];
}

function bodyOf(error: FastifyError): { status: number; body: Body } {
  if (error.validation) return { status: 400, body: { code: 'MK_ERR_VALIDATION', message: error.message } };
  const status = error.statusCode ?? 500;
  if (status >= 500) return { status: 500, body: { code: 'MK_ERR_INTERNAL', message: 'Internal error' } };
  const lines = (error as { lines?: unknown[] }).lines;
  // Fastify's own client errors (a body too large, a content type it cannot parse) keep their
  // status under one code of ours.
  const code = isCodedError(error) ? error.code : 'MK_ERR_REQUEST';
  return { status, body: { code, message: error.message, ...(lines ? { lines } : {}) } };
}

export function apiErrors(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    // A failover, a restart or a stall of Redis: the client may try again shortly.
    if (answerRedisOutage(error, request, reply, 'api', { route: request.routeOptions.url })) {
      return reply.send({ error: { code: 'MK_ERR_UNAVAILABLE', message: `temporarily unavailable; try again in ${UNAVAILABLE_RETRY_SECONDS} s` } });
    }
    const { status, body } = bodyOf(error);
    if (status >= 500) request.log.error({ err: error, route: request.routeOptions.url }, 'api: request failed');
    else {
      // Which of the token checks failed is for the log only (`why`: token or account).
      const why = (error as { reason?: string }).reason;
      request.log.info({ status, code: body.code, reason: body.message, why, method: request.method, route: request.routeOptions.url, actor: request.principal ? request.actor : undefined }, 'api: request refused');
    }
    // RFC 6750 §3: a refused bearer token is answered with the scheme to use.
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="mektep"');
    void reply.code(status).send({ error: body });
  });

  app.setNotFoundHandler((request, reply) => {
    request.log.info({ status: 404, method: request.method, url: request.url.split('?')[0] }, 'api: no such route');
    void reply.code(404).send({ error: { code: 'MK_ERR_NOT_FOUND', message: `no API route ${request.method} ${request.url.split('?')[0]}` } });
  });
}
