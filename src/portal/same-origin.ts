// CSRF for the portal without tokens, so a page can be the same bytes for every visitor: every
// form's POST must say it comes from the portal itself. The browser says so in Sec-Fetch-Site
// (Fetch Metadata, which a page cannot forge), else in Origin, else in Referer. A POST that says
// nothing of where it comes from is refused too: the captive browsers schools meet (iOS and
// macOS CNA, Android's CaptivePortalLogin in a Chromium WebView, Windows' Edge) all send Origin
// on form posts; under the portal's Referrer-Policy (same-origin) only its own pages send Referer.
// The context cookie is SameSite=Lax as well, so a cross-site form would not carry it anyway.
import createError from '@fastify/error';

/** The form was posted from another site, or by a client that does not say from where. */
export const CrossSiteError = createError<'MK_ERR_PORTAL_CROSS_SITE', 403, [string]>('MK_ERR_PORTAL_CROSS_SITE', '%s', 403);

export interface PostSource {
  method: string;
  headers: { 'sec-fetch-site'?: string | string[] | undefined; origin?: string | undefined; referer?: string | undefined };
}

/** Methods that change nothing: never refused as cross-site. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why this request may not change anything, or undefined when it may. `origins` are the
 * portal's own: PUBLIC_URL's, and the host the request was addressed to (a proxy, or the block
 * page shown under a filtered site's name). */
export function crossSiteReason(request: PostSource, origins: readonly string[]): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' ? undefined : `Sec-Fetch-Site: ${String(site)}`;
  // "null" is an opaque origin (a sandboxed frame, a data: page): never the portal's.
  const origin = request.headers.origin;
  if (origin !== undefined) return origins.includes(origin) ? undefined : `Origin: ${origin}`;
  const referer = request.headers.referer;
  if (referer !== undefined) return URL.canParse(referer) && origins.includes(new URL(referer).origin) ? undefined : 'Referer of another site';
  return 'no Sec-Fetch-Site, Origin or Referer';
}
