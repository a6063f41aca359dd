// The landing page answered before Fastify: the URL an access point's redirect produces is the
// portal's busiest request (every device, each school morning), and the framework's routing,
// hooks and request objects cost more than the page's own work. A well-formed landing GET whose
// every part is in memory already (the NAS, the school's student policy, the rendered page) is
// answered here with the same status, header lines and body as the route in routes/entry.ts
// (the regression test compares them byte for byte). Anything else — another path or method,
// a query a parser could read two ways, a refused or signed redirect, a language switch, a
// foreign Host, a page not rendered yet, the server closing, the debug log on — returns false
// and goes to Fastify untouched, where the route answers it (and logs why it refuses).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { languageOf } from '../i18n/request.js';
import { detectDialect } from '../vendors/portal/index.js';
import type { Query } from '../vendors/portal/types.js';
import { accessPointOf } from './access-point.js';
import { contextCookie, signContext } from './context.js';
import { encodingFor, type LandingPage, type LandingPages } from './landing.js';
import { memo } from './memo.js';
import { lookOf } from './pages.js';
import { foreignName } from './routes/block.js';
import { signatureNeeded } from './routes/entry.js';
import { safeContinueUrl, withSafeContinueUrl, type PortalAddress } from './urls.js';

/** The route's schema: each parameter at most this long (a longer one is the route's to refuse). */
const MAX_VALUE = 2048;
const METRIC_LABELS = { method: 'GET', route: '/' };
const COUNTED = { ...METRIC_LABELS, status: 200 };

/** `a=1&b=2` when it reads the same under any parser: each name once, non-empty, with "=", no
 * "+" (a space to some parsers), valid percent escapes, values within the schema's length. */
export function plainQuery(search: string): Query | undefined {
  if (search.includes('+')) return undefined;
  const query: Query = {};
  let start = 0;
  while (start <= search.length) {
    let end = search.indexOf('&', start);
    if (end === -1) end = search.length;
    const equals = search.indexOf('=', start);
    if (equals <= start || equals >= end) return undefined;
    const name = decoded(search.slice(start, equals));
    const value = decoded(search.slice(equals + 1, end));
    if (name === undefined || value === undefined || name === '__proto__' || Object.hasOwn(query, name) || value.length > MAX_VALUE) return undefined;
    query[name] = value;
    start = end + 1;
  }
  return query;
}

function decoded(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** What the host line names, as Fastify's `request.hostname` reads it. */
function hostnameOf(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':', 1)[0] ?? '');
}

export interface LandingDirectOptions {
  portal: PortalAddress;
  landing: LandingPages;
  /** The landing route's own headers (routes/entry.ts `common`). */
  common: Readonly<Record<string, string>>;
  /** The portal's Referrer-Policy, written in place of helmet's as the portal's onSend hook does. */
  referrerPolicy: string;
}

/** Header lines (name, value, …) in the order the route writes them: helmet's (the portal's
 * Referrer-Policy in helmet's place), the route's, the CSP, the cookie, the encoding and the
 * length. One array per page and encoding, its cookie value set for each answer just before
 * `writeHead`, which reads it at once (nothing runs in between). */
interface Lines {
  lines: string[];
  cookieAt: number;
}

export function createLandingDirect(app: FastifyInstance, { portal, landing, common, referrerPolicy }: LandingDirectOptions) {
  const head = Object.entries({ ...app.securityHeaders, 'referrer-policy': referrerPolicy, ...common }).flat();
  const lines = new WeakMap<LandingPage, Map<string, Lines>>();
  function linesOf(page: LandingPage, encoding: keyof LandingPage['bodies']): Lines {
    let byEncoding = lines.get(page);
    if (!byEncoding) lines.set(page, (byEncoding = new Map<string, Lines>()));
    let found = byEncoding.get(encoding);
    if (!found) {
      const lines = [...head, 'content-security-policy', page.csp, 'set-cookie', ''];
      found = { lines, cookieAt: lines.length - 1 };
      if (encoding !== 'identity') lines.push('content-encoding', encoding);
      lines.push('content-length', String(page.bodies[encoding].length));
      byEncoding.set(encoding, found);
    }
    return found;
  }
  const { metrics, nasDirectory, services } = app;
  const ownHost = memo((host) => foreignName(hostnameOf(host), portal.hostname) === undefined);
  const byAcceptLanguage = memo((accept) => languageOf({ headers: { 'accept-language': accept }, query: {}, cookies: {} }));
  const continueUrl = memo((asked) => safeContinueUrl(asked, portal));
  const safe = (asked: string | undefined) => (asked === undefined ? undefined : continueUrl(asked));

  /** The answer's page, lines and cookie, or undefined for anything the route should answer. */
  function prepare(request: IncomingMessage, url: string) {
    const headers = request.headers;
    if (headers.host === undefined || !ownHost(headers.host)) return undefined;
    // A body on a GET, a proxy's other name for the portal: as the route reads them.
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined || headers['x-forwarded-host'] !== undefined) return undefined;
    const query = plainQuery(url.slice(2));
    // ?lang= may set the language cookie: the route's to answer.
    if (query === undefined || query.lang !== undefined) return undefined;
    const dialect = detectDialect(query, '/');
    if (!dialect) return undefined;
    let parsed;
    try {
      parsed = dialect.parse(query, '/');
    } catch {
      return undefined;
    }
    const point = accessPointOf(nasDirectory, parsed);
    if (!('nas' in point) || signatureNeeded(dialect, point.nas)) return undefined;
    const policy = services.policies.cached?.('student', point.nas.school);
    if (!policy) return undefined;
    // The language cookie, when there is one, wins over Accept-Language (i18n/request.ts).
    const lang = headers.cookie === undefined ? byAcceptLanguage(headers['accept-language'] ?? '') : languageOf({ headers, query, cookies: app.parseCookie(headers.cookie) });
    const look = { lang, ...lookOf(parsed, policy) };
    const page = landing.ready(services.schools.get(point.nas.school), look);
    if (!page) return undefined;
    const encoding = encodingFor(headers['accept-encoding']);
    const cookie = contextCookie(signContext(withSafeContinueUrl(parsed, portal, safe), app.sessionSecret), portal.secure);
    return { body: page.bodies[encoding], headers: linesOf(page, encoding), cookie };
  }

  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = request.url;
    if (request.method !== 'GET' || url === undefined || url.charCodeAt(0) !== 47 || url.charCodeAt(1) !== 63) return false;
    const started = performance.now();
    let answer;
    try {
      answer = prepare(request, url);
    } catch {
      // Whatever went wrong, the route meets it again, and answers and logs it as it does.
      return false;
    }
    if (answer === undefined) return false;
    const { lines, cookieAt } = answer.headers;
    lines[cookieAt] = answer.cookie;
    try {
      response.writeHead(200, lines).end(answer.body);
    } catch {
      // A throw in a server's request listener would end the process: the route answers instead.
      return false;
    }
    // Counted as the route's answer is (plugins/metrics.ts), the time up to the write.
    metrics.httpRequests.inc(COUNTED);
    metrics.httpDuration.observe(METRIC_LABELS, (performance.now() - started) / 1000);
    metrics.landingDirect.inc();
    return true;
  };
}
