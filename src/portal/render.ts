// Rendering a portal page: language (switch > cookie > Accept-Language), the catalogue, the
// language links, the school's name.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUES, type Language, type Messages } from '../i18n/languages.js';
import { chosenLanguage, LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS, languageLinks, languageOf } from '../i18n/request.js';
import { accentStyle } from './csp.js';

export interface SchoolLook {
  name: string;
  logo?: string;
  colour?: string;
}

export interface PageOptions {
  template: string;
  status?: number;
  school?: SchoolLook | undefined;
  /** The release page's form goes to the access point: its origin joins form-action. */
  formAction?: string;
  /** Extra query kept on the language links (the guest request being waited for). */
  keep?: Record<string, string>;
  data?: Record<string, unknown>;
}

export function messagesOf(request: FastifyRequest): Messages {
  return CATALOGUES[languageOf(request)];
}

/** What the layout needs, the same for every visitor of one page, language and school. */
export function layoutData(lang: Language, path: string, school: SchoolLook | undefined, keep?: Record<string, string>) {
  const colour = school?.colour;
  return {
    lang, t: CATALOGUES[lang], languages: languageLinks(path, lang, keep),
    schoolName: school?.name, schoolLogo: school?.logo, accentStyle: colour ? accentStyle(colour) : undefined,
  };
}

/** The switch's choice is remembered in a cookie, so the next page (and the next visit) keeps it. */
export function rememberLanguage(request: FastifyRequest, reply: FastifyReply): void {
  const chosen = chosenLanguage(request);
  if (chosen && chosen !== request.cookies[LANGUAGE_COOKIE]) {
    void reply.setCookie(LANGUAGE_COOKIE, chosen, { path: '/', maxAge: LANGUAGE_COOKIE_SECONDS, sameSite: 'lax', httpOnly: true, secure: request.protocol === 'https' });
  }
}

export function renderPage(request: FastifyRequest, reply: FastifyReply, options: PageOptions): FastifyReply {
  rememberLanguage(request, reply);
  const asked = request.url.split('?')[0] ?? '/';
  const path = asked === '/login' ? '/' : asked;
  const colour = options.school?.colour;
  void reply.code(options.status ?? 200).header('cache-control', 'no-store');
  if (colour || options.formAction) void reply.header('content-security-policy', request.server.portalCsp.build({ formAction: options.formAction, colour }));
  return reply.view(options.template, { ...layoutData(languageOf(request), path, options.school, options.keep), ...options.data });
}
