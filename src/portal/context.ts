// What the access point told the portal about a new device, carried between the pages in a
// cookie signed with the session secret (HMAC-SHA-256, 30 minutes), so nothing is kept
// server-side, nothing can be changed by the browser, and the landing page itself carries no
// per-visitor value (it is rendered once and served to many, see landing.ts).
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Vendor } from '../store/nas.js';

export interface PortalContext {
  vendor: Vendor;
  /** The vendor's own name for the NAS (Chilli nasid, MikroTik identity, UniFi site, …). */
  nasId?: string;
  clientMac?: string;
  clientIp?: string;
  apMac?: string;
  ssid?: string;
  /** Where the person was going, when it is a safe http(s) URL. */
  originalUrl?: string;
  /** Where the browser sends the release (the AP's login URL). */
  loginUrl?: string;
  /** CHAP challenge from the AP (hex), and MikroTik's CHAP id (hex). */
  challenge?: string;
  chapId?: string;
  /** Vendor-specific values the release needs (Fortinet magic, openNDS token, …). */
  extra?: Record<string, string>;
}

export const CONTEXT_COOKIE = 'mk_ctx';
export const CONTEXT_SECONDS = 1800;
/** Browsers keep cookies of up to 4,096 bytes (name, value and attributes): room is left for those. */
const MAX_TOKEN_LENGTH = 3800;

interface Claims {
  ctx: PortalContext;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

// Its own label, so a MAC made with the session secret for another purpose never verifies here.
// The key object is made once for the session secret, not on every page: making it was most
// of an HMAC's cost.
let current: { secret: string; key: KeyObject } | undefined;
function keyOf(secret: string): KeyObject {
  if (current?.secret !== secret) current = { secret, key: createSecretKey(Buffer.from(`portal-context:${secret}`)) };
  return current.key;
}
// The payload is base64url, so latin1 reads the same bytes as UTF-8 without its checks.
const hmac = (payload: string, secret: string) => createHmac('sha256', keyOf(secret)).update(payload, 'latin1');
const mac = (payload: string, secret: string) => hmac(payload, secret).digest();

/** `payload.signature`, both base64url; a synchronous HMAC, no thread-pool round trip. The
 * signature is written as text by the digest itself (no Buffer between: every landing page signs one). */
function seal(claims: Claims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${hmac(payload, secret).digest('base64url')}`;
}

export function signContext(context: PortalContext, secret: string, ttlSeconds = CONTEXT_SECONDS, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const token = seal({ ctx: context, exp }, secret);
  if (token.length <= MAX_TOKEN_LENGTH || context.originalUrl === undefined) return token;
  // A very long "continue to" URL would make the cookie too big to be kept: it is only a
  // convenience after the release, so it is the part left out.
  const { originalUrl: _dropped, ...rest } = context;
  return seal({ ctx: rest, exp }, secret);
}

const SEALED = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The context, or why it is refused ('expired' or 'invalid'). */
export function verifyContext(token: string | undefined, secret: string, now = Date.now()): PortalContext | 'expired' | 'invalid' {
  const dot = token?.indexOf('.') ?? -1;
  // Only the alphabet seal() writes: latin1 hashing and base64url decoding both read just a
  // character's low byte, so another character would make a second spelling of the same token.
  if (!token || dot < 1 || !SEALED.test(token)) return 'invalid';
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  return claims.exp * 1000 <= now ? 'expired' : claims.ctx;
}

/** The Set-Cookie value that carries a signed context: one per browser (the last AP's redirect
 * wins), sent back on the portal's own pages and forms only (SameSite=Lax), never readable by a script. */
export function contextCookie(token: string, secure: boolean): string {
  return `${CONTEXT_COOKIE}=${token}; Max-Age=${CONTEXT_SECONDS}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
