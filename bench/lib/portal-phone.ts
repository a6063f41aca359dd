// A phone on the captive portal over real HTTP, for load runs (no browser): CoovaChilli sends it
// to the portal with its redirect parameters, it reads the login page, posts the form and gets
// the release page that sends the AP's login URL the one-time credential. It behaves as a
// browser does, so it does not depend on how the portal guards its forms: it keeps cookies,
// follows redirects, sends Origin and Sec-Fetch-Site on the post, and posts back every hidden
// field of the form it read (a CSRF token, a signed context — whatever the page carries).
// The access point's half (test/helpers/test-ap.ts does it for tests with a server per device)
// is here a pure function: the release's CHAP response and the challenge become the attributes
// of the Access-Request, which the caller sends over its own sockets and times.
import type { EncodableAttribute } from 'radius';

/** The CoovaChilli access point a phone is behind: its UAM address, NAS-Identifier and CHAP challenge. */
export interface ChilliAp {
  uamip: string;
  uamport: number;
  nasId: string;
  challenge: Buffer;
}

export interface Release {
  action: string;
  fields: Record<string, string>;
}

export interface Walk {
  /** Portal responses read (the landing page, redirects, the release page). */
  pages: number;
  release: Release;
}

const BROWSER_HEADERS = {
  'user-agent': 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36 (mektep-soak)',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'accept-language': 'kk,ru;q=0.8,en;q=0.5',
  'accept-encoding': 'gzip, deflate, br',
};
const MAX_REDIRECTS = 5;

/** The URL CoovaChilli sends an unknown device to (no uamsecret: unsigned). */
export function chilliRedirect(portal: string, ap: ChilliAp, mac: string, ip: string): string {
  const query = new URLSearchParams({
    res: 'notyet', uamip: ap.uamip, uamport: String(ap.uamport), challenge: ap.challenge.toString('hex'), mac, ip, nasid: ap.nasId, userurl: 'http://example.org/',
  });
  return `${new URL('/', portal).href}?${query.toString()}`;
}

/** The Access-Request attributes Chilli sends for a release: CHAP-Password = ident 0 ‖ response, CHAP-Challenge. */
export function chilliAccessAttributes(release: Release, ap: ChilliAp, mac: string): EncodableAttribute[] {
  return [
    ['User-Name', release.fields.username ?? ''], ['CHAP-Password', Buffer.concat([Buffer.from([0]), Buffer.from(release.fields.response ?? '', 'hex')])],
    ['CHAP-Challenge', ap.challenge], ['Calling-Station-Id', mac], ['NAS-Identifier', ap.nasId],
  ];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|#x27|#x2F|#47);/g, (_all, name: string) => ENTITIES[name]!);
const attributes = (tag: string) => Object.fromEntries([...tag.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)].map((match) => [match[1]!.toLowerCase(), decode(match[2]!)]));

interface Form {
  method: string;
  action: string;
  fields: Record<string, string>;
}

/** The page's forms: method, action and hidden fields. */
export function formsOf(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const form = attributes(match[1]!);
    const hidden = [...match[2]!.matchAll(/<input\b([^>]*)>/gi)].map((input) => attributes(input[1]!)).filter((input) => input.type === 'hidden' && input.name);
    return { method: (form.method ?? 'GET').toUpperCase(), action: form.action ?? '', fields: Object.fromEntries(hidden.map((input) => [input.name!, input.value ?? ''])) };
  });
}

/** A browser's cookie jar for one origin: name=value pairs, replaced as the server sets them. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    take(response: Response) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        if (at > 0) cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1).trim());
      }
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  };
}

/** Signs in as `username` from the phone `mac` behind `ap`; throws with the step that failed. */
export async function walkPortal(portal: string, ap: ChilliAp, phone: { mac: string; ip: string }, credentials: { username: string; password: string }, timeoutMs: number): Promise<Walk> {
  const cookies = jar();
  const signal = AbortSignal.timeout(timeoutMs);
  let pages = 0;

  /** One navigation: the request, then redirects within the portal, as a browser follows them. */
  async function navigate(url: string, init: RequestInit = {}): Promise<{ url: string; html: string }> {
    let response = await fetch(url, { ...init, redirect: 'manual', signal, headers: { ...BROWSER_HEADERS, cookie: cookies.header(), ...init.headers } });
    for (let hops = 0; ; hops++) {
      pages++;
      cookies.take(response);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) break;
      await response.arrayBuffer();
      if (hops === MAX_REDIRECTS) throw new Error('too many redirects');
      url = new URL(location, url).href;
      response = await fetch(url, { redirect: 'manual', signal, headers: { ...BROWSER_HEADERS, cookie: cookies.header(), 'sec-fetch-site': 'same-origin' } });
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status} at ${new URL(url).pathname}`);
    return { url, html };
  }

  const landing = await navigate(chilliRedirect(portal, ap, phone.mac, phone.ip), { headers: { 'sec-fetch-site': 'cross-site' } });
  const login = formsOf(landing.html).find((form) => form.method === 'POST');
  if (!login) throw new Error('no login form on the landing page');
  const action = new URL(login.action || landing.url, landing.url);
  const released = await navigate(action.href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: action.origin, referer: landing.url, 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ ...login.fields, username: credentials.username, password: credentials.password }).toString(),
  });
  // The release goes to the access point, not back to the portal.
  const release = formsOf(released.html).find((form) => new URL(form.action, released.url).origin !== action.origin);
  if (!release?.fields.username || !release.fields.response) throw new Error('no release form after the login');
  return { pages, release: { action: release.action, fields: release.fields } };
}
