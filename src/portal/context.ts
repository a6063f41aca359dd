// What the access point told the portal about a new device, carried between the pages as a
// signed token (HS256 with the session secret, 30 minutes), so nothing is kept server-side and
// nothing can be changed by the browser.
import { webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
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

const ISSUER = 'mektep-portal';

// Imported once: jose would otherwise import a raw key on every sign and verify, which was a
// third of the landing page's CPU.
const imported = new Map<string, Promise<webcrypto.CryptoKey>>();

function key(secret: string): Promise<webcrypto.CryptoKey> {
  let found = imported.get(secret);
  if (!found) {
    found = webcrypto.subtle.importKey('raw', new TextEncoder().encode(`portal-context:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    imported.set(secret, found);
  }
  return found;
}

export async function signContext(context: PortalContext, secret: string, ttlSeconds = 1800): Promise<string> {
  return new SignJWT({ ctx: context }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(await key(secret));
}

/** The context, or why it is refused ('expired' or 'invalid'). */
export async function verifyContext(token: string, secret: string): Promise<PortalContext | 'expired' | 'invalid'> {
  try {
    const { payload } = await jwtVerify(token, await key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    return payload.ctx as PortalContext;
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid';
  }
}
