// Rendering a portal page: language (switch > cookie > Accept-Language), the catalogue, the
// language links, the school's name.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUES, type Messages } from '../i18n/languages.js';
import { chosenLanguage, LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS, languageLinks, languageOf } from '../i18n/request.js';
import { accentStyle } from './csp.js';

export interface PageOptions {
  template: string;
  status?: number;
  school?: { name: string; logo?: string; colour?: string } | undefined;
  /** The release page's form goes to the access point: its origin joins form-action. */
  formAction?: string;
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
  const colour = options.school?.colour;
  void reply.code(options.status ?? 200).header('cache-control', 'no-store');
  if (colour || options.formAction) void reply.header('content-security-policy', request.server.portalCsp.build({ formAction: options.formAction, colour }));
  return reply.view(options.template, {
    lang, t: CATALOGUES[lang], languages: languageLinks(path, lang, options.keep),
    schoolName: options.school?.name, schoolLogo: options.school?.logo, accentStyle: colour ? accentStyle(colour) : undefined,
    ...options.data,
  });
}
