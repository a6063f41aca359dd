// MS-CHAPv2 (RFC 2759) carried in RADIUS (RFC 2548), with the MPPE keys of RFC 3079. Needs the
// user's NT hash, which is stored only for schools that opt in. Single DES is disabled in
// OpenSSL 3; DES-EDE3 with three equal keys is the same cipher.
import { createCipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { md4 } from '../../security/md4.js';

const AUTH_MAGIC_1 = Buffer.from('Magic server to client signing constant');
const AUTH_MAGIC_2 = Buffer.from('Pad to make it do more than one iteration');
const MPPE_MAGIC_1 = Buffer.from('This is the MPPE Master Key');
const MPPE_MAGIC_2 = Buffer.from('On the client side, this is the send key; on the server side, it is the receive key.');
const MPPE_MAGIC_3 = Buffer.from('On the client side, this is the receive key; on the server side, it is the send key.');
const SHS_PAD_1 = Buffer.alloc(40, 0x00);
const SHS_PAD_2 = Buffer.alloc(40, 0xf2);

function sha1(...parts: Buffer[]): Buffer {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** ChallengeHash (RFC 2759 §8.2): the user name as the peer sent it, without any domain. */
export function challengeHash(peerChallenge: Buffer, authenticatorChallenge: Buffer, userName: string): Buffer {
  const name = userName.includes('\\') ? userName.slice(userName.lastIndexOf('\\') + 1) : userName;
  return sha1(peerChallenge, authenticatorChallenge, Buffer.from(name, 'utf8')).subarray(0, 8);
}

/** A 56-bit key spread over 8 bytes (parity bits unused), as DES wants it. */
function desKey(seven: Buffer): Buffer {
  const key = Buffer.alloc(8);
  key[0] = seven[0]! >> 1;
  for (let i = 1; i < 7; i++) key[i] = ((seven[i - 1]! << (7 - i)) | (seven[i]! >> (i + 1))) & 0x7f;
  key[7] = seven[6]! & 0x7f;
  for (let i = 0; i < 8; i++) key[i] = key[i]! << 1;
  return key;
}

function desEncrypt(block: Buffer, seven: Buffer): Buffer {
  const key = desKey(seven);
  const cipher = createCipheriv('des-ede3', Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** ChallengeResponse (RFC 2759 §8.5): three DES encryptions under the zero-padded hash. */
export function challengeResponse(challenge: Buffer, passwordHash: Buffer): Buffer {
  const padded = Buffer.concat([passwordHash, Buffer.alloc(5)]);
  return Buffer.concat([0, 7, 14].map((offset) => desEncrypt(challenge, padded.subarray(offset, offset + 7))));
}

/** "S=<40 hex>" (RFC 2759 §8.7), proving to the peer that the server knew the password too. */
export function authenticatorResponse(passwordHash: Buffer, ntResponse: Buffer, challenge: Buffer): string {
  const digest = sha1(md4(passwordHash), ntResponse, AUTH_MAGIC_1);
  return `S=${sha1(digest, challenge, AUTH_MAGIC_2).toString('hex').toUpperCase()}`;
}

export function masterKey(passwordHash: Buffer, ntResponse: Buffer): Buffer {
  return sha1(md4(passwordHash), ntResponse, MPPE_MAGIC_1).subarray(0, 16);
}

/** The server's MPPE keys (RFC 3079 §3.4): send uses Magic3, receive Magic2. */
export function serverMppeKeys(master: Buffer): { send: Buffer; receive: Buffer } {
  const start = (magic: Buffer) => sha1(master, SHS_PAD_1, magic, SHS_PAD_2).subarray(0, 16);
  return { send: start(MPPE_MAGIC_3), receive: start(MPPE_MAGIC_2) };
}

export interface MschapV2Result {
  ok: boolean;
  /** MS-CHAP2-Success value: ident ‖ "S=…", when ok. */
  success?: Buffer;
  keys?: { send: Buffer; receive: Buffer };
}

/** Checks an MS-CHAP2-Response (ident, flags, peer challenge 16, reserved 8, NT-Response 24). */
export function verifyMschapV2(response: Buffer, authenticatorChallenge: Buffer, userName: string, passwordHash: Buffer): MschapV2Result {
  if (response.length !== 50 || authenticatorChallenge.length !== 16) return { ok: false };
  const peerChallenge = response.subarray(2, 18);
  const ntResponse = response.subarray(26, 50);
  const challenge = challengeHash(peerChallenge, authenticatorChallenge, userName);
  const expected = challengeResponse(challenge, passwordHash);
  if (!timingSafeEqual(expected, ntResponse)) return { ok: false };
  return {
    ok: true,
    success: Buffer.concat([response.subarray(0, 1), Buffer.from(authenticatorResponse(passwordHash, ntResponse, challenge))]),
    keys: serverMppeKeys(masterKey(passwordHash, ntResponse)),
  };
}

/** MS-MPPE-Send/Recv-Key value (RFC 2548 §2.4.2): salt ‖ key hidden like a PAP password. */
export function encryptMppeKey(key: Buffer, secret: string, requestAuthenticator: Buffer, salt: Buffer): Buffer {
  const plain = Buffer.alloc(Math.ceil((key.length + 1) / 16) * 16);
  plain[0] = key.length;
  key.copy(plain, 1);
  const out = Buffer.alloc(plain.length);
  let previous = Buffer.concat([requestAuthenticator, salt]);
  for (let offset = 0; offset < plain.length; offset += 16) {
    const mask = createHash('md5').update(secret).update(previous).digest();
    for (let i = 0; i < 16; i++) out[offset + i] = plain[offset + i]! ^ mask[i]!;
    previous = out.subarray(offset, offset + 16);
  }
  return Buffer.concat([salt, out]);
}
