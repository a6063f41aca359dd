// Rendering a console page: the person's language (and the switch), the menu for their role,
// who is signed in, and the CSRF token every form carries. Pages are never cached.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CATALOGUES, type Messages } from '../i18n/languages.js';
import { chosenLanguage, LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS, languageLinks, languageOf } from '../i18n/request.js';
import type { Csrf } from './csrf.js';
import { navFor } from './nav.js';

export interface ConsolePage {
  template: string;
  status?: number;
  /** The page's heading, also the document title. */
  title: string;
  data?: Record<string, unknown>;
}

const ROLE_LABELS: Record<string, keyof Messages> = { 'region-admin': 'roleRegionAdmin', 'school-admin': 'roleSchoolAdmin', teacher: 'roleTeacher' };

export function roleLabel(role: string, t: Messages): string {
  const key = ROLE_LABELS[role];
  return key ? t[key] : role;
}

export function consoleMessages(request: FastifyRequest): Messages {
  return CATALOGUES[languageOf(request)];
}

export function createRenderer({ csrf, stylesheet }: { csrf: Csrf; stylesheet: string }) {
  return function render(request: FastifyRequest, reply: FastifyReply, page: ConsolePage): FastifyReply {
    const lang = languageOf(request);
    const t = CATALOGUES[lang];
    const chosen = chosenLanguage(request);
    if (chosen && chosen !== request.cookies[LANGUAGE_COOKIE]) {
      void reply.setCookie(LANGUAGE_COOKIE, chosen, { path: '/', maxAge: LANGUAGE_COOKIE_SECONDS, sameSite: 'lax', httpOnly: true, secure: request.protocol === 'https' });
    }
    const path = request.url.split('?')[0] ?? '/console/';
    const signedIn = request.signedIn;
    void reply.code(page.status ?? 200).header('cache-control', 'no-store');
    return reply.view(page.template, {
      lang,
      t,
      title: page.title,
      stylesheet,
      languages: languageLinks(path, lang),
      csrf: csrf.token(request, reply, signedIn?.session.id),
      nav: signedIn ? navFor(signedIn.principal.kind, path, t, request.navBadges ?? {}) : [],
      who: signedIn ? { name: signedIn.account.name, role: roleLabel(signedIn.account.role, t), school: signedIn.account.school } : undefined,
      ...page.data,
    });
  };
}

export type Render = ReturnType<typeof createRenderer>;
