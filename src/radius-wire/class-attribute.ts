// The Class attribute Mektep puts in every Access-Accept (RFC 2865 §5.25): the NAS echoes it in
// accounting, so each session is tied to who logged in, how, with which role and school.
// Signed (HMAC-SHA-256, 128 bits kept) over the login and the NAS record it was issued to, with
// a key derived from the app's session secret: accounting from another NAS — another school's
// access point replaying or inventing a Class — does not verify, so it charges nobody.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LoginKind = 'user' | 'device' | 'token' | 'voucher';

export interface LoginClass {
  kind: LoginKind;
  subject: string;
  role: string;
  school?: string;
}

export interface ClassSigner {
  /** The Class for a login accepted on the NAS record `issuer` (its address or CIDR block). */
  format(login: LoginClass, issuer: string): string;
  /** The login, when `value` is a Class Mektep issued to `issuer`; undefined otherwise. */
  verify(value: Buffer | undefined, issuer: string): LoginClass | undefined;
}

const PREFIX = 'mektep2';
const KINDS: readonly string[] = ['user', 'device', 'token', 'voucher'];
const SIGNATURE_BYTES = 16;
/** RFC 2865 §5: an attribute value holds at most 253 octets. */
export const MAX_CLASS_LENGTH = 253;

// Only the separator and the escape character are escaped: names are slugs, so a Class stays
// short (the longest username, role and school fit in 253 octets with the signature).
const escape = (value: string) => value.replace(/[%/]/g, (char) => (char === '%' ? '%25' : '%2F'));

export function createClassSigner(secret: string): ClassSigner {
  const key = createHmac('sha256', secret).update('mektep Class attribute v2').digest();
  const sign = (body: string, issuer: string) => createHmac('sha256', key).update(`${body}\n${issuer}`).digest().subarray(0, SIGNATURE_BYTES);

  return {
    format(login, issuer) {
      const body = [PREFIX, login.kind, login.subject, login.role, login.school ?? ''].map(escape).join('/');
      return `${body}/${sign(body, issuer).toString('base64url')}`;
    },

    verify(value, issuer) {
      if (!value || value.length > MAX_CLASS_LENGTH) return undefined;
      const text = value.toString('utf8');
      const cut = text.lastIndexOf('/');
      const body = text.slice(0, cut);
      const parts = body.split('/');
      if (cut < 0 || parts.length !== 5 || parts[0] !== PREFIX) return undefined;
      const signature = Buffer.from(text.slice(cut + 1), 'base64url');
      if (signature.length !== SIGNATURE_BYTES || !timingSafeEqual(signature, sign(body, issuer))) return undefined;
      try {
        const [, kind, subject, role, school] = parts.map(decodeURIComponent);
        if (!KINDS.includes(kind!) || !subject || !role) return undefined;
        return { kind: kind as LoginKind, subject, role, ...(school ? { school } : {}) };
      } catch {
        return undefined;
      }
    },
  };
}
