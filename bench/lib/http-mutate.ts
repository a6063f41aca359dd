// Mutated portal requests as raw HTTP/1.1 bytes (so bad encodings, duplicated parameters and
// odd headers reach the server exactly as written): every vendor dialect's redirect, the login
// form in every content type, the context cookie, where a form says it comes from, probes,
// status, sign-out, RFC 8908 and /metrics.
import { randomBytes } from 'node:crypto';

export interface RawRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body?: Buffer;
  /** For the report: what was done to it. */
  label: string;
}

/** A prepared browser: its cookies and the signed portal context among them, from a real landing page. */
export interface Browser {
  localAddress: string;
  cookie: string;
  /** The context cookie's value. */
  ctx: string;
}

type Pairs = [string, string][];

const rand = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;
const enc = encodeURIComponent;

/** Each dialect's redirect as its access point sends it, for the NAS records the fuzzer adds. */
export const DIALECTS: { vendor: string; path: string; query: Pairs }[] = [
  { vendor: 'chilli', path: '/', query: [['res', 'notyet'], ['uamip', '10.1.0.1'], ['uamport', '3990'], ['challenge', '00112233445566778899aabbccddeeff'], ['called', '00-0C-42-00-00-01'], ['mac', '00-1B-63-00-00-05'], ['ip', '10.1.0.50'], ['nasid', 'chilli-7'], ['userurl', 'http://example.org/']] },
  { vendor: 'mikrotik', path: '/', query: [['mac', '00:1B:63:00:00:06'], ['ip', '10.2.0.9'], ['identity', 'hs-1'], ['link-login-only', 'http://10.2.0.1/login'], ['link-orig', 'http://example.org/'], ['chap-id', '\\021'], ['chap-challenge', '\\001\\002\\003'], ['error', '']] },
  { vendor: 'cisco', path: '/', query: [['switch_url', 'https://1.1.1.1/login.html'], ['ap_mac', '00:11:22:33:44:55'], ['client_mac', '00:1b:63:00:00:07'], ['wlan', 'School'], ['redirect', 'http://example.org/']] },
  { vendor: 'aruba', path: '/', query: [['cmd', 'login'], ['mac', '00:1b:63:00:00:08'], ['essid', 'School'], ['ip', '10.3.0.5'], ['apname', 'ap-12'], ['apmac', '00:0b:86:00:00:01'], ['vcname', 'vc'], ['switchip', 'securelogin.arubanetworks.com'], ['url', 'http://example.org/']] },
  { vendor: 'meraki', path: '/', query: [['login_url', 'https://n1.network-auth.com/splash/login?mauth=x'], ['continue_url', 'http://example.org/'], ['ap_mac', '00:18:0a:00:00:01'], ['client_mac', '00:1b:63:00:00:09'], ['client_ip', '10.4.0.7']] },
  { vendor: 'fortinet', path: '/', query: [['login', ''], ['post', 'https://10.5.0.1:1003/fgtauth'], ['magic', '0a1b2c'], ['usermac', '00:1b:63:00:00:0a'], ['apmac', '00:09:0f:00:00:01'], ['apip', '10.5.0.2'], ['userip', '10.5.0.30'], ['ssid', 'School']] },
  { vendor: 'opennds', path: '/', query: [['authaction', 'http://10.6.0.1:2050/opennds_auth/'], ['tok', 'abc123'], ['clientip', '10.6.0.9'], ['gatewayname', 'lib-1'], ['redir', 'http://example.org/']] },
  { vendor: 'opennds', path: '/', query: [['hid', 'h1d'], ['gatewayaddress', '10.6.0.1:2050'], ['authdir', 'opennds_auth'], ['clientip', '10.6.0.9'], ['gatewayname', 'lib-1']] },
  { vendor: 'unifi', path: '/guest/s/default/', query: [['ap', '78:8a:20:00:00:01'], ['id', '00:1b:63:00:00:0b'], ['t', '1700000000'], ['url', 'http://example.org/'], ['ssid', 'Guests']] },
  { vendor: 'generic', path: '/', query: [['login_url', 'http://10.7.0.1/login'], ['mac', '00:1b:63:00:00:0c'], ['ip', '10.7.0.3'], ['orig', 'http://example.org/']] },
];

const PROBES = ['/generate_204', '/gen_204', '/hotspot-detect.html', '/library/test/success.html', '/connecttest.txt', '/ncsi.txt', '/canonical.html', '/success.txt', '/redirect'];
const RAW_VALUES = ['%', '%zz', '%C0%80', '%FF%FE', '%00', '%u0041', '%E2%80%AE', '%F0%9F%98%80', '+', '%2B%2B', '%0d%0aX-Injected:%201', '%25', '%5B%5D'];
const TEXT_VALUES = [
  '', ' ', 'javascript:alert(1)', '//evil.example/', 'http://evil.example/', 'http://127.0.0.1:8080/', 'https://[::1', 'http://a@b/', 'data:text/html,x', '\\\\evil',
  'ff:ff:ff:ff:ff:ff', '00-1B-63-00-00-0G', '0'.repeat(64), 'Ω≈ç√', '<script>alert(1)</script>', '"><img src=x>', '__proto__', 'constructor', '-1', '1e309', 'NaN', 'true', '[]', '{}',
];
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=xyz', 'application/xml', 'application/x-www-form-urlencoded; charset=koi8-r', ''];

function randomValue(): string {
  switch (rand(6)) {
    case 0: return pick(RAW_VALUES);
    case 1: return enc(pick(TEXT_VALUES));
    case 2: return 'A'.repeat(pick([300, 2049, 9000, 70_000]));
    case 3: return randomBytes(1 + rand(40)).toString('base64url');
    case 4: return [...randomBytes(1 + rand(12))].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    // Any code point but the surrogates, which have no UTF-8 spelling.
    default: return enc(String.fromCodePoint(...Array.from({ length: 1 + rand(8) }, () => { const c = rand(0x2f7ff); return c >= 0xd800 ? c + 0x800 : c; })));
  }
}

/** Query changes; the pairs are raw (already encoded) so bad encodings survive. */
function mutatePairs(pairs: Pairs, browsers: Browser[]): string {
  const ops: string[] = [];
  for (let n = 1 + rand(3); n > 0; n--) {
    const i = rand(Math.max(1, pairs.length));
    switch (rand(9)) {
      case 0: if (pairs[i]) { pairs.splice(rand(pairs.length + 1), 0, [pairs[i][0], rand(2) ? pairs[i][1] : randomValue()]); ops.push(`duplicate ${pairs[i][0]}`); } break;
      case 1: if (pairs[i]) { pairs[i] = [`${pairs[i][0]}${pick(['[]', '[0]', '[a][b]', '.x'])}`, pairs[i][1]]; ops.push('array key'); } break;
      case 2: if (pairs[i]) { ops.push(`remove ${pairs[i][0]}`); pairs.splice(i, 1); } break;
      case 3: if (pairs[i]) { pairs[i] = [pairs[i][0], randomValue()]; ops.push(`value of ${pairs[i][0]}`); } break;
      case 4: pairs.push([pick(['ctx', 'lang', 'mac', 'tok', 'md', 'uamsecret', '__proto__', 'constructor', randomBytes(3).toString('hex')]), randomValue()]); ops.push('extra parameter'); break;
      case 5: { const b = pick(browsers); pairs.push(['ctx', rand(2) ? b.ctx : tamper(b.ctx)]); ops.push('ctx'); break; }
      case 6: if (pairs[i]) { pairs[i] = [pick(RAW_VALUES), pairs[i][1]]; ops.push('bad key'); } break;
      case 7: pairs.push(['lang', pick(['kk', 'ru', 'en', 'xx', '', 'A'.repeat(100), '../'])]); ops.push('lang'); break;
      default: if (pairs[i]) { pairs[i] = [pairs[i][0], enc(pick(TEXT_VALUES))]; ops.push(`text in ${pairs[i][0]}`); } break;
    }
  }
  return ops.join(', ');
}

function tamper(token: string): string {
  if (!token) return randomBytes(30).toString('base64url');
  const i = rand(token.length);
  return `${token.slice(0, i)}${pick(['A', '.', '_', '', token[i] === 'a' ? 'b' : 'a'])}${token.slice(i + 1)}`;
}

const query = (pairs: Pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&');
const encoded = (pairs: Pairs): Pairs => pairs.map(([k, v]) => [enc(k), enc(v)]);

function headersFor(browser: Browser | undefined): [string, string][] {
  const headers: [string, string][] = [['Accept-Language', pick(['kk', 'ru-RU,ru;q=0.9', 'en', 'xx;q=abc', '*', 'A'.repeat(500), ''])]];
  if (browser && rand(4) !== 0) headers.push(['Cookie', rand(8) ? browser.cookie : pick([`mk_ctx=${tamper(browser.ctx)}`, `${browser.cookie}; mk_ctx=${randomValue()}`])]);
  // Mostly a form of the portal's own page, as a browser says it; else another site, or nothing said.
  if (rand(5)) headers.push(['Sec-Fetch-Site', rand(6) ? 'same-origin' : pick(['cross-site', 'same-site', 'none', randomValue()])]);
  else if (rand(2)) headers.push(['Origin', pick(['null', 'http://evil.example', randomValue()])]);
  if (rand(10) === 0) headers.push([pick(['X-Forwarded-For', 'Forwarded', 'X-Real-IP']), pick(['127.0.0.1', '10.0.0.1, 127.0.0.1', 'garbage'])]);
  if (rand(20) === 0) headers.push(['Cookie', randomValue()]);
  return headers;
}

function loginBody(browser: Browser): { body: Buffer; contentType: string; label: string } {
  const fields: Pairs = encoded([['username', `student${rand(10)}`], ['password', rand(2) ? `fuzz-pass-${rand(10)}` : 'wrong-password'], ['remember', pick(['1', '0', ''])]]);
  const contentType = rand(3) ? CONTENT_TYPES[0]! : pick(CONTENT_TYPES);
  const mutated = rand(5) ? mutatePairs(fields, [browser]) : 'valid fields';
  if (contentType.startsWith('application/json')) {
    const values: unknown[] = [123, null, true, [], {}, ['a', 'b'], { $gt: '' }, 'x'.repeat(5000)];
    const object: Record<string, unknown> = Object.fromEntries(fields.map(([k, v]) => [decodeSafe(k), decodeSafe(v)]));
    object[pick(['password', 'username', 'remember', 'lang'])] = pick(values);
    const body = rand(10) ? JSON.stringify(object) : pick(['{', '[1,2', '"x"', 'null', '{"__proto__":{"polluted":1}}', '1e999']);
    return { body: Buffer.from(body), contentType, label: `${mutated}; json` };
  }
  if (contentType.startsWith('multipart')) {
    const parts = fields.map(([k, v]) => `--xyz\r\nContent-Disposition: form-data; name="${decodeSafe(k)}"\r\n\r\n${decodeSafe(v)}\r\n`).join('');
    return { body: Buffer.from(rand(4) ? `${parts}--xyz--\r\n` : parts.slice(0, rand(parts.length))), contentType, label: `${mutated}; multipart` };
  }
  return { body: Buffer.from(query(fields)), contentType, label: `${mutated}; ${contentType || 'no content type'}` };
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One request: a dialect's redirect, the login form, or one of the other routes, mutated. */
export function nextRequest(browsers: Browser[]): { request: RawRequest; browser: Browser | undefined } {
  const browser = pick(browsers);
  const roll = rand(100);
  if (roll < 45) {
    const dialect = pick(DIALECTS);
    const pairs = encoded(dialect.query);
    const label = rand(10) ? mutatePairs(pairs, browsers) : 'valid';
    const path = dialect.vendor === 'unifi' && rand(4) === 0 ? `/guest/s/${pick(['..', '%2e%2e', 'A'.repeat(300), '%00', 'd%C0%80', ''])}/` : dialect.path;
    return { request: { method: pick(['GET', 'GET', 'GET', 'HEAD', 'POST']), path: `${path}?${query(pairs)}`, headers: headersFor(browser), label: `${dialect.vendor}: ${label}` }, browser };
  }
  if (roll < 75) {
    const { body, contentType, label } = loginBody(browser);
    const headers = headersFor(browser);
    if (contentType) headers.push(['Content-Type', contentType]);
    return { request: { method: 'POST', path: pick(['/login', '/login', '/login?lang=ru', '/login?ctx=x&ctx=y']), headers, body, label: `login: ${label}` }, browser };
  }
  const pairs: Pairs = [];
  const label = rand(2) ? mutatePairs(pairs, browsers) : 'plain';
  const suffix = pairs.length ? `?${query(pairs)}` : '';
  const [method, path] = pick([
    ['GET', '/status'], ['POST', '/logout'], ['GET', pick(PROBES)], ['GET', '/api/captive'], ['GET', '/metrics'], ['GET', '/healthz'], ['GET', '/readyz'],
    [pick(['PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']), pick(['/', '/login', '/status'])], ['GET', pick(['//', '/./login', '/%2e%2e/', '/A'.repeat(2000), '/public/../../etc/passwd', '/favicon.ico'])],
  ] as const);
  const headers = headersFor(browser);
  let body: Buffer | undefined;
  if (method === 'POST') {
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    body = Buffer.from(query(encoded([['lang', pick(['kk', 'ru', 'en', randomValue()])]])));
  }
  if (path === '/api/captive') headers.push(['Accept', pick(['application/captive+json', '*/*', 'text/html', ''])]);
  return { request: { method, path: `${path}${suffix}`, headers, ...(body ? { body } : {}), label: `${path}: ${label}` }, browser };
}
