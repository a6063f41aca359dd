// The language of one HTTP request, for every web scope alike: an explicit choice (the switch's
// ?lang=, or the lang field a form carries) > the cookie the switch left > Accept-Language.
// Typed by shape, so this layer knows no web framework.
import { CATALOGUES, isLanguage, LANGUAGES, negotiate, type Language } from './languages.js';

export const LANGUAGE_COOKIE = 'mk_lang';
/** A year: the switch is a preference, not a session. */
export const LANGUAGE_COOKIE_SECONDS = 365 * 86_400;

export interface LanguageSource {
  headers: { 'accept-language'?: string | undefined };
  query: unknown;
  body?: unknown;
  cookies: Record<string, string | undefined>;
}

function field(bag: unknown, name: string): unknown {
  return bag !== null && typeof bag === 'object' ? (bag as Record<string, unknown>)[name] : undefined;
}

/** The language named by this request itself (switch link or form field), if any. */
export function chosenLanguage(request: LanguageSource): Language | undefined {
  const chosen = field(request.query, 'lang') ?? field(request.body, 'lang');
  return isLanguage(chosen) ? chosen : undefined;
}

export function languageOf(request: LanguageSource): Language {
  return chosenLanguage(request) ?? negotiate(request.headers['accept-language'], request.cookies[LANGUAGE_COOKIE]);
}

export interface LanguageLink {
  code: Language;
  name: string;
  current: boolean;
  href: string;
}

/** The switch: the same page in each language, keeping the query parameters named in `keep`. */
export function languageLinks(path: string, current: Language, keep: Record<string, string> = {}): LanguageLink[] {
  return LANGUAGES.map((code) => ({
    code,
    name: CATALOGUES[code].language,
    current: code === current,
    href: `${path}?${new URLSearchParams({ ...keep, lang: code }).toString()}`,
  }));
}
