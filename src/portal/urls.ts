// URLs that come from the access point or the browser. The "continue to" URL is followed only
// when it is http(s) and not the portal itself: never an open redirect.
export function safeContinueUrl(candidate: string | undefined, publicUrl: string): string | undefined {
  if (!candidate || candidate.length > 2048 || !URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.host === hostOf(publicUrl)) return undefined;
  return url.href;
}

// PUBLIC_URL is one value for the life of the process: parsed once, not on every landing page.
let portal = { url: '', host: '' };
function hostOf(publicUrl: string): string {
  if (portal.url !== publicUrl) portal = { url: publicUrl, host: new URL(publicUrl).host };
  return portal.host;
}

/** An http(s) URL the release form may be sent to, else undefined. */
export function httpUrl(candidate: string | undefined): string | undefined {
  if (!candidate || candidate.length > 2048 || !URL.canParse(candidate)) return undefined;
  const url = new URL(candidate);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}
