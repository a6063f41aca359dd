// Every coded error Mektep raises. The HTTP error handler and the CLI both map these by code;
// messages are meant for the person who caused them (5xx details never reach a client).
import createError from '@fastify/error';

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
