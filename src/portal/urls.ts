// URLs that come from the access point or the browser, and the portal's own address.
import type { PortalContext } from './context.js';
import { memo } from './memo.js';

/** PUBLIC_URL, parsed once when the portal starts: every check of "the portal itself" reads it. */
export interface PortalAddress {
  /** scheme://host[:port]: a form's Origin, what an access point signed. */
  origin: string;
  /** host[:port]: never a "continue to" target. */
  host: string;
  /** The lower-case name: any other name on a request is a blocked site's or a rebinding page's. */
  hostname: string;
  /** Served over HTTPS: the context cookie is Secure. */
  secure: boolean;
}

export function portalAddress(publicUrl: string): PortalAddress {
  const url = new URL(publicUrl);
  return { origin: url.origin, host: url.host, hostname: url.hostname.toLowerCase(), secure: url.protocol === 'https:' };
}

/** The "continue to" URL, followed only when it is http(s) and not the portal itself: never an open redirect. */
export function safeContinueUrl(candidate: string | undefined, portal: PortalAddress): string | undefined {
  if (!candidate || candidate.length > 2048 || !URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.host === portal.host) return undefined;
  return url.href;
}

/** The context as signed into the cookie: the redirect's "continue to" URL kept only when it is
 * safe (`safe`: safeContinueUrl, or the same answers remembered). */
export function withSafeContinueUrl(context: PortalContext, portal: PortalAddress, safe = safeContinueUrl): PortalContext {
  // A loop rather than rest and spread (a landing page's every request): the same fields in the
  // same order, the URL last, so the cookie is the same bytes.
  const kept: Record<string, unknown> = {};
  for (const name in context) if (name !== 'originalUrl') kept[name] = context[name as keyof PortalContext];
  const originalUrl = safe(context.originalUrl, portal);
  if (originalUrl) kept.originalUrl = originalUrl;
  return kept as unknown as PortalContext;
}

// Kept: every landing page of an access point checks the same login URL.
const httpUrlOf = memo((candidate) => {
  if (!URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
});

/** An http(s) URL the release form may be sent to, else undefined. */
export function httpUrl(candidate: string | undefined): string | undefined {
  return candidate && candidate.length <= 2048 ? httpUrlOf(candidate) : undefined;
}
