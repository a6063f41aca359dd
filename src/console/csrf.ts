// CSRF for the whole console scope: a signed double-submit token. A random nonce lives in an
// HttpOnly, SameSite=Strict cookie; every form carries HMAC(secret, nonce, session id) in a
// hidden field; one hook checks every unsafe request of the scope, plus where the browser says
// the request comes from (Sec-Fetch-Site, else Origin, else Referer) when it says so. Nothing is stored server-side, so a page can be rendered once and
// served to many (what the portal's cached landing page will need), and a token taken from one
// session is worthless in another.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import createError from '@fastify/error';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CSRF_COOKIE = 'mk_console_csrf';
export const CSRF_FIELD = '_csrf';

/** The form's token is missing or wrong, or the request came from another site. */
export const CsrfError = createError<'MK_ERR_CSRF', 403, [string]>('MK_ERR_CSRF', '%s', 403);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfOptions {
  secret: string;
  /** Origins a form may be posted from: PUBLIC_URL's (and the one the request names, see below). */
  publicOrigin: string;
  secure: boolean;
}

export function createCsrf({ secret, publicOrigin, secure }: CsrfOptions) {
  const sign = (nonce: string, sessionId: string) => createHmac('sha256', secret).update(`console-csrf|${nonce}|${sessionId}`).digest('base64url');

  function nonceOf(request: FastifyRequest, reply: FastifyReply): string {
    const existing = request.cookies[CSRF_COOKIE];
    if (existing && /^[\w-]{32,64}$/.test(existing)) return existing;
    const nonce = randomBytes(24).toString('base64url');
    // The request may render several forms: they all use the same new nonce.
    request.cookies[CSRF_COOKIE] = nonce;
    void reply.setCookie(CSRF_COOKIE, nonce, { path: '/console', httpOnly: true, sameSite: 'strict', secure });
    return nonce;
  }

  /** Where the request says it came from, when the browser says so. "null" (an opaque origin,
   * or a page with Referrer-Policy no-referrer) says nothing. */
  function claimedOrigin(request: FastifyRequest): string | undefined {
    const origin = request.headers.origin;
    if (origin && origin !== 'null') return origin;
    const referer = request.headers.referer;
    return referer && URL.canParse(referer) ? new URL(referer).origin : undefined;
  }

  function fromElsewhere(request: FastifyRequest): string | undefined {
    // Fetch Metadata: every current browser sends it, and a proxy cannot make it wrong.
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string') return site === 'same-origin' ? undefined : `Sec-Fetch-Site: ${site}`;
    const origin = claimedOrigin(request);
    // Behind a proxy the browser may use the host it was given rather than PUBLIC_URL.
    return origin === undefined || origin === publicOrigin || origin === `${request.protocol}://${request.host}` ? undefined : origin;
  }

  return {
    /** The token for forms of this page. */
    token(request: FastifyRequest, reply: FastifyReply, sessionId = ''): string {
      return sign(nonceOf(request, reply), sessionId);
    },

    /** Throws CsrfError unless an unsafe request carries this browser's token and comes from here. */
    check(request: FastifyRequest, sessionId = ''): void {
      if (SAFE_METHODS.has(request.method)) return;
      const elsewhere = fromElsewhere(request);
      if (elsewhere !== undefined) throw new CsrfError(`posted from another site (${elsewhere})`);
      const nonce = request.cookies[CSRF_COOKIE];
      const sent = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      if (!nonce || typeof sent !== 'string') throw new CsrfError('no form token');
      const expected = Buffer.from(sign(nonce, sessionId));
      const given = Buffer.from(sent);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CsrfError('wrong form token');
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
