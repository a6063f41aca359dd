// Every coded error Mektep raises. The HTTP error handler and the CLI both map these by code;
// messages are meant for the person who caused them (5xx details never reach a client).
import createError from '@fastify/error';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const ConfigError = createError<'MK_ERR_CONFIG', 500, [string]>('MK_ERR_CONFIG', 'Invalid configuration: %s', 500);
export const ValidationError = createError<'MK_ERR_VALIDATION', 400, [string]>('MK_ERR_VALIDATION', '%s', 400);
export const NotFoundError = createError<'MK_ERR_NOT_FOUND', 404, [string]>('MK_ERR_NOT_FOUND', '%s', 404);
/** Outside the acting person's scope (where existence may be known; otherwise NotFoundError). */
export const ForbiddenError = createError<'MK_ERR_FORBIDDEN', 403, [string]>('MK_ERR_FORBIDDEN', '%s', 403);
export const ConflictError = createError<'MK_ERR_CONFLICT', 409, [string]>('MK_ERR_CONFLICT', '%s', 409);
export const AlreadyRunningError = createError<'MK_ERR_ALREADY_RUNNING', 500, [string]>('MK_ERR_ALREADY_RUNNING', '%s', 500);
export const RedisUnavailableError = createError<'MK_ERR_REDIS_UNAVAILABLE', 503, [string]>('MK_ERR_REDIS_UNAVAILABLE', '%s', 503);
export const ListenError = createError<'MK_ERR_LISTEN', 500, [string]>('MK_ERR_LISTEN', '%s', 500);
export const SchemaError = createError<'MK_ERR_SCHEMA', 500, [string]>('MK_ERR_SCHEMA', '%s', 500);
/** No valid credentials: a missing, unknown, expired or revoked API token, or a disabled account. */
export const UnauthorizedError = createError<'MK_ERR_UNAUTHORIZED', 401, [string]>('MK_ERR_UNAUTHORIZED', '%s', 401);
/** Well-formed input whose content cannot be used as a whole (a CSV import with bad lines). */
export const UnprocessableError = createError<'MK_ERR_UNPROCESSABLE', 422, [string]>('MK_ERR_UNPROCESSABLE', '%s', 422);
export const RateLimitedError = createError<'MK_ERR_RATE_LIMITED', 429, [string]>('MK_ERR_RATE_LIMITED', '%s', 429);

/** What a client is told to wait (Retry-After) when Redis is away: Sentinel promotes a replica within seconds. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/** Redis's answers while it cannot serve for a moment: a demoted master, a dataset loading, a cluster or replica link down. */
const REDIS_AWAY_REPLIES: Record<string, string> = {
  READONLY: 'redis-readonly', LOADING: 'redis-loading', MASTERDOWN: 'redis-masterdown', CLUSTERDOWN: 'redis-clusterdown', TRYAGAIN: 'redis-tryagain', BUSY: 'redis-busy',
};
const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Why a request failed when the cause is Redis being away for a moment rather than a bug (ioredis's
 * words for a stalled, closed or reconnecting connection, and Redis's own "not now" replies), so an
 * HTTP scope answers 503 with Retry-After instead of 500; undefined for any other error.
 */
export function redisOutage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.message === 'Command timed out') return 'redis-timeout';
  if (error.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable|sentinels are unreachable/.test(error.message)) return 'redis-unavailable';
  if (CONNECTION_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return 'redis-unavailable';
  return error.name === 'ReplyError' ? REDIS_AWAY_REPLIES[error.message.split(' ', 1)[0] ?? ''] : undefined;
}

/**
 * Redis away for a moment, for every HTTP scope alike: 503, Retry-After and one info line
 * ("<scope>: Redis unavailable, try again"); the reason is returned and the scope renders its own
 * body. Undefined, and nothing done, for any other error.
 */
export function answerRedisOutage(error: unknown, request: FastifyRequest, reply: FastifyReply, scope: string, fields: Record<string, unknown>): string | undefined {
  const reason = redisOutage(error);
  if (reason === undefined) return undefined;
  request.log.info({ reason, err: (error as Error).message, method: request.method, url: request.url.split('?')[0], ...fields }, `${scope}: Redis unavailable, try again`);
  void reply.code(503).header('retry-after', String(UNAVAILABLE_RETRY_SECONDS));
  return reason;
}

/** A bind failure, said the way an operator can act on it. */
export function listenError(error: unknown, what: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new ListenError(`${what} is already in use (is Mektep already running?)`);
  if (code === 'EACCES') return new ListenError(`${what} needs more privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE)`);
  if (code === 'EADDRNOTAVAIL') return new ListenError(`${what}: this machine has no such address`);
  return error as Error;
}

export interface CodedError extends Error {
  code: string;
  statusCode?: number;
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof Error && typeof (error as CodedError).code === 'string' && (error as CodedError).code.startsWith('MK_ERR_');
}
