// What a form shows when a service refuses its input: a translated sentence, and the service's
// own words (English) for what exactly was wrong. Scope refusals and failures are not form
// errors: they go on to the error page.
import { isCodedError } from '../errors.js';
import { fill, type Messages } from '../i18n/languages.js';

export interface FormError {
  message: string;
  detail?: string;
}

export function formError(error: unknown, t: Messages): FormError {
  if (!isCodedError(error)) throw error;
  if (error.code === 'MK_ERR_CONFLICT') return { message: t.errorTaken, detail: error.message };
  if (error.code === 'MK_ERR_VALIDATION') return { message: t.errorCheckInput, detail: error.message };
  throw error;
}

/** A notice named in the query after a redirect (?done=…&who=…): only these keys, never free text. */
export function notice(done: string | undefined, allowed: readonly (keyof Messages)[], t: Messages, values: Record<string, string>): string | undefined {
  const key = allowed.find((candidate) => candidate === done);
  return key === undefined ? undefined : fill(t[key], values);
}
