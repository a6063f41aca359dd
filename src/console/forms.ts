// What a form shows when a service refuses its input: a translated sentence, and the service's
// own words (English) for what exactly was wrong. Scope refusals and failures are not form
// errors: they go on to the error page.
import type { FastifyBaseLogger } from 'fastify';
import { isCodedError } from '../errors.js';
import { fill, type Messages } from '../i18n/languages.js';

export interface FormError {
  message: string;
  detail?: string;
}

/** With `log`, the refusal leaves its info line (the form is shown again, not an error page). */
export function formError(error: unknown, t: Messages, log?: Pick<FastifyBaseLogger, 'info'>): FormError {
  if (!isCodedError(error) || (error.code !== 'MK_ERR_CONFLICT' && error.code !== 'MK_ERR_VALIDATION')) throw error;
  log?.info({ code: error.code, reason: error.message }, 'console: form refused');
  return { message: error.code === 'MK_ERR_CONFLICT' ? t.errorTaken : t.errorCheckInput, detail: error.message };
}

/** A notice named in the query after a redirect (?done=…&who=…): only these keys, never free text. */
export function notice(done: string | undefined, allowed: readonly (keyof Messages)[], t: Messages, values: Record<string, string>): string | undefined {
  const key = allowed.find((candidate) => candidate === done);
  return key === undefined ? undefined : fill(t[key], values);
}
