// Rendering a portal page: language (switch > cookie > Accept-Language), the catalogue, the
// language links, the school's name.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUES, type Messages } from '../i18n/languages.js';
import { chosenLanguage, LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS, languageLinks, languageOf } from '../i18n/request.js';

export interface PageOptions {
  template: string;
  status?: number;
  school?: { name: string; logo?: string } | undefined;
  /** Extra query kept on the language links (the signed portal context). */
  keep?: Record<string, string>;
  data?: Record<string, unknown>;
}

export function messagesOf(request: FastifyRequest): Messages {
  return CATALOGUES[languageOf(request)];
}

export function renderPage(request: FastifyRequest, reply: FastifyReply, options: PageOptions): FastifyReply {
  const lang = languageOf(request);
  const chosen = chosenLanguage(request);
  if (chosen && chosen !== request.cookies[LANGUAGE_COOKIE]) {
    void reply.setCookie(LANGUAGE_COOKIE, chosen, { path: '/', maxAge: LANGUAGE_COOKIE_SECONDS, sameSite: 'lax', httpOnly: true, secure: request.protocol === 'https' });
  }
  const path = request.url.split('?')[0] === '/login' ? '/' : (request.url.split('?')[0] ?? '/');
  void reply.code(options.status ?? 200).header('cache-control', 'no-store');
  return reply.view(options.template, { lang, t: CATALOGUES[lang], languages: languageLinks(path, lang, options.keep), schoolName: options.school?.name, schoolLogo: options.school?.logo, ...options.data });
}
