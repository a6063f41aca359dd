// CHAP (RFC 1994, RFC 2865 §5.3): CHAP-Password = ident ‖ MD5(ident ‖ password ‖ challenge).
// Needs the clear password, so it serves only one-time tokens and vouchers, never users.
import { createHash, timingSafeEqual } from 'node:crypto';

export function chapMatches(chapPassword: Buffer, challenge: Buffer, password: string): boolean {
  if (chapPassword.length !== 17) return false;
  const expected = createHash('md5').update(chapPassword.subarray(0, 1)).update(password, 'utf8').update(challenge).digest();
  return timingSafeEqual(expected, chapPassword.subarray(1));
}
