// PAP (RFC 2865 §5.2): User-Password is the password XOR a chain of MD5(secret ‖ previous).
import { createHash } from 'node:crypto';

/** The clear password, or undefined when the attribute is malformed. */
export function decryptPap(hidden: Buffer, secret: string, requestAuthenticator: Buffer): string | undefined {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return undefined;
  const clear = Buffer.alloc(hidden.length);
  let previous = requestAuthenticator;
  for (let offset = 0; offset < hidden.length; offset += 16) {
    const key = createHash('md5').update(secret).update(previous).digest();
    for (let i = 0; i < 16; i++) clear[offset + i] = hidden[offset + i]! ^ key[i]!;
    previous = hidden.subarray(offset, offset + 16);
  }
  const end = clear.indexOf(0);
  return clear.subarray(0, end === -1 ? clear.length : end).toString('utf8');
}
