// Rendering a portal page: language (switch > cookie > Accept-Language), the catalogue, the
// language links, the school's name.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUES, isLanguage, LANGUAGES, negotiate, type Language } from './i18n.js';
import type { Messages } from './messages/en.js';

export const LANGUAGE_COOKIE = 'mk_lang';

export interface PageOptions {
  template: string;
  status?: number;
  school?: { name: string; logo?: string } | undefined;
  /** Extra query kept on the language links (the signed portal context). */
  keep?: Record<string, string>;
  data?: Record<string, unknown>;
}

export function languageOf(request: FastifyRequest): Language {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const query = request.query as Record<string, unknown>;
  return negotiate(request.headers['accept-language'], query.lang ?? body.lang ?? request.cookies[LANGUAGE_COOKIE]);
}

export function messagesOf(request: FastifyRequest): Messages {
  return CATALOGUES[languageOf(request)];
}

export function renderPage(request: FastifyRequest, reply: FastifyReply, options: PageOptions): FastifyReply {
  const lang = languageOf(request);
  const chosen = (request.query as Record<string, unknown>).lang ?? ((request.body ?? {}) as Record<string, unknown>).lang;
  if (isLanguage(chosen) && chosen !== request.cookies[LANGUAGE_COOKIE]) {
    void reply.setCookie(LANGUAGE_COOKIE, chosen, { path: '/', maxAge: 365 * 86_400, sameSite: 'lax', httpOnly: true, secure: request.protocol === 'https' });
  }
  const path = request.url.split('?')[0] === '/login' ? '/' : request.url.split('?')[0];
  const languages = LANGUAGES.map((code) => ({
    code,
    name: CATALOGUES[code].language,
    current: code === lang,
    href: `${path}?${new URLSearchParams({ ...options.keep, lang: code }).toString()}`,
  }));
  void reply.code(options.status ?? 200).header('cache-control', 'no-store');
  return reply.view(options.template, { lang, t: CATALOGUES[lang], languages, schoolName: options.school?.name, schoolLogo: options.school?.logo, ...options.data });
}
