// URLs that come from the access point or the browser, and the portal's own address.

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

/** An http(s) URL the release form may be sent to, else undefined. */
export function httpUrl(candidate: string | undefined): string | undefined {
  if (!candidate || candidate.length > 2048 || !URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}
