// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for RADIUS's authenticators, in plain JavaScript.
// node:crypto creates a native hash object per call (allocation, a weak handle, the secret
// converted from UTF-16 each time): three of them per Access-Request cost more than the hashing
// itself. Here the state lives in preallocated typed arrays, and HMAC keys are prepared once per
// secret (the ipad and opad blocks already compressed). Checked against node:crypto in
// test/unit/md5.test.ts. Not for anything but RADIUS's MD5-based authenticators.

const INITIAL = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
const BLOCK = 64;

/**
 * One 64-byte block into `state` (RFC 1321 §3.4). Written out step by step, each step's shift and
 * constant (K[i] = floor(|sin(i + 1)| * 2^32), as signed 32-bit) in place: a quarter faster than
 * the four loops over tables it replaces, and MD5 is the largest share of a MAC authentication's
 * own code. Generated, not hand-edited; test/unit/md5.test.ts checks it against node:crypto.
 */
function compress(state: Int32Array, bytes: Uint8Array, at: number): void {
  const x0 = bytes[at + 0]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  const x1 = bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24);
  const x2 = bytes[at + 8]! | (bytes[at + 9]! << 8) | (bytes[at + 10]! << 16) | (bytes[at + 11]! << 24);
  const x3 = bytes[at + 12]! | (bytes[at + 13]! << 8) | (bytes[at + 14]! << 16) | (bytes[at + 15]! << 24);
  const x4 = bytes[at + 16]! | (bytes[at + 17]! << 8) | (bytes[at + 18]! << 16) | (bytes[at + 19]! << 24);
  const x5 = bytes[at + 20]! | (bytes[at + 21]! << 8) | (bytes[at + 22]! << 16) | (bytes[at + 23]! << 24);
  const x6 = bytes[at + 24]! | (bytes[at + 25]! << 8) | (bytes[at + 26]! << 16) | (bytes[at + 27]! << 24);
  const x7 = bytes[at + 28]! | (bytes[at + 29]! << 8) | (bytes[at + 30]! << 16) | (bytes[at + 31]! << 24);
  const x8 = bytes[at + 32]! | (bytes[at + 33]! << 8) | (bytes[at + 34]! << 16) | (bytes[at + 35]! << 24);
  const x9 = bytes[at + 36]! | (bytes[at + 37]! << 8) | (bytes[at + 38]! << 16) | (bytes[at + 39]! << 24);
  const x10 = bytes[at + 40]! | (bytes[at + 41]! << 8) | (bytes[at + 42]! << 16) | (bytes[at + 43]! << 24);
  const x11 = bytes[at + 44]! | (bytes[at + 45]! << 8) | (bytes[at + 46]! << 16) | (bytes[at + 47]! << 24);
  const x12 = bytes[at + 48]! | (bytes[at + 49]! << 8) | (bytes[at + 50]! << 16) | (bytes[at + 51]! << 24);
  const x13 = bytes[at + 52]! | (bytes[at + 53]! << 8) | (bytes[at + 54]! << 16) | (bytes[at + 55]! << 24);
  const x14 = bytes[at + 56]! | (bytes[at + 57]! << 8) | (bytes[at + 58]! << 16) | (bytes[at + 59]! << 24);
  const x15 = bytes[at + 60]! | (bytes[at + 61]! << 8) | (bytes[at + 62]! << 16) | (bytes[at + 63]! << 24);
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let n: number;
  // Round 1.
  n = (a + ((b & c) | (~b & d)) + x0 - 680876936) | 0; a = (((n << 7) | (n >>> 25)) + b) | 0;
  n = (d + ((a & b) | (~a & c)) + x1 - 389564586) | 0; d = (((n << 12) | (n >>> 20)) + a) | 0;
  n = (c + ((d & a) | (~d & b)) + x2 + 606105819) | 0; c = (((n << 17) | (n >>> 15)) + d) | 0;
  n = (b + ((c & d) | (~c & a)) + x3 - 1044525330) | 0; b = (((n << 22) | (n >>> 10)) + c) | 0;
  n = (a + ((b & c) | (~b & d)) + x4 - 176418897) | 0; a = (((n << 7) | (n >>> 25)) + b) | 0;
  n = (d + ((a & b) | (~a & c)) + x5 + 1200080426) | 0; d = (((n << 12) | (n >>> 20)) + a) | 0;
  n = (c + ((d & a) | (~d & b)) + x6 - 1473231341) | 0; c = (((n << 17) | (n >>> 15)) + d) | 0;
  n = (b + ((c & d) | (~c & a)) + x7 - 45705983) | 0; b = (((n << 22) | (n >>> 10)) + c) | 0;
  n = (a + ((b & c) | (~b & d)) + x8 + 1770035416) | 0; a = (((n << 7) | (n >>> 25)) + b) | 0;
  n = (d + ((a & b) | (~a & c)) + x9 - 1958414417) | 0; d = (((n << 12) | (n >>> 20)) + a) | 0;
  n = (c + ((d & a) | (~d & b)) + x10 - 42063) | 0; c = (((n << 17) | (n >>> 15)) + d) | 0;
  n = (b + ((c & d) | (~c & a)) + x11 - 1990404162) | 0; b = (((n << 22) | (n >>> 10)) + c) | 0;
  n = (a + ((b & c) | (~b & d)) + x12 + 1804603682) | 0; a = (((n << 7) | (n >>> 25)) + b) | 0;
  n = (d + ((a & b) | (~a & c)) + x13 - 40341101) | 0; d = (((n << 12) | (n >>> 20)) + a) | 0;
  n = (c + ((d & a) | (~d & b)) + x14 - 1502002290) | 0; c = (((n << 17) | (n >>> 15)) + d) | 0;
  n = (b + ((c & d) | (~c & a)) + x15 + 1236535329) | 0; b = (((n << 22) | (n >>> 10)) + c) | 0;
  // Round 2.
  n = (a + ((d & b) | (~d & c)) + x1 - 165796510) | 0; a = (((n << 5) | (n >>> 27)) + b) | 0;
  n = (d + ((c & a) | (~c & b)) + x6 - 1069501632) | 0; d = (((n << 9) | (n >>> 23)) + a) | 0;
  n = (c + ((b & d) | (~b & a)) + x11 + 643717713) | 0; c = (((n << 14) | (n >>> 18)) + d) | 0;
  n = (b + ((a & c) | (~a & d)) + x0 - 373897302) | 0; b = (((n << 20) | (n >>> 12)) + c) | 0;
  n = (a + ((d & b) | (~d & c)) + x5 - 701558691) | 0; a = (((n << 5) | (n >>> 27)) + b) | 0;
  n = (d + ((c & a) | (~c & b)) + x10 + 38016083) | 0; d = (((n << 9) | (n >>> 23)) + a) | 0;
  n = (c + ((b & d) | (~b & a)) + x15 - 660478335) | 0; c = (((n << 14) | (n >>> 18)) + d) | 0;
  n = (b + ((a & c) | (~a & d)) + x4 - 405537848) | 0; b = (((n << 20) | (n >>> 12)) + c) | 0;
  n = (a + ((d & b) | (~d & c)) + x9 + 568446438) | 0; a = (((n << 5) | (n >>> 27)) + b) | 0;
  n = (d + ((c & a) | (~c & b)) + x14 - 1019803690) | 0; d = (((n << 9) | (n >>> 23)) + a) | 0;
  n = (c + ((b & d) | (~b & a)) + x3 - 187363961) | 0; c = (((n << 14) | (n >>> 18)) + d) | 0;
  n = (b + ((a & c) | (~a & d)) + x8 + 1163531501) | 0; b = (((n << 20) | (n >>> 12)) + c) | 0;
  n = (a + ((d & b) | (~d & c)) + x13 - 1444681467) | 0; a = (((n << 5) | (n >>> 27)) + b) | 0;
  n = (d + ((c & a) | (~c & b)) + x2 - 51403784) | 0; d = (((n << 9) | (n >>> 23)) + a) | 0;
  n = (c + ((b & d) | (~b & a)) + x7 + 1735328473) | 0; c = (((n << 14) | (n >>> 18)) + d) | 0;
  n = (b + ((a & c) | (~a & d)) + x12 - 1926607734) | 0; b = (((n << 20) | (n >>> 12)) + c) | 0;
  // Round 3.
  n = (a + (b ^ c ^ d) + x5 - 378558) | 0; a = (((n << 4) | (n >>> 28)) + b) | 0;
  n = (d + (a ^ b ^ c) + x8 - 2022574463) | 0; d = (((n << 11) | (n >>> 21)) + a) | 0;
  n = (c + (d ^ a ^ b) + x11 + 1839030562) | 0; c = (((n << 16) | (n >>> 16)) + d) | 0;
  n = (b + (c ^ d ^ a) + x14 - 35309556) | 0; b = (((n << 23) | (n >>> 9)) + c) | 0;
  n = (a + (b ^ c ^ d) + x1 - 1530992060) | 0; a = (((n << 4) | (n >>> 28)) + b) | 0;
  n = (d + (a ^ b ^ c) + x4 + 1272893353) | 0; d = (((n << 11) | (n >>> 21)) + a) | 0;
  n = (c + (d ^ a ^ b) + x7 - 155497632) | 0; c = (((n << 16) | (n >>> 16)) + d) | 0;
  n = (b + (c ^ d ^ a) + x10 - 1094730640) | 0; b = (((n << 23) | (n >>> 9)) + c) | 0;
  n = (a + (b ^ c ^ d) + x13 + 681279174) | 0; a = (((n << 4) | (n >>> 28)) + b) | 0;
  n = (d + (a ^ b ^ c) + x0 - 358537222) | 0; d = (((n << 11) | (n >>> 21)) + a) | 0;
  n = (c + (d ^ a ^ b) + x3 - 722521979) | 0; c = (((n << 16) | (n >>> 16)) + d) | 0;
  n = (b + (c ^ d ^ a) + x6 + 76029189) | 0; b = (((n << 23) | (n >>> 9)) + c) | 0;
  n = (a + (b ^ c ^ d) + x9 - 640364487) | 0; a = (((n << 4) | (n >>> 28)) + b) | 0;
  n = (d + (a ^ b ^ c) + x12 - 421815835) | 0; d = (((n << 11) | (n >>> 21)) + a) | 0;
  n = (c + (d ^ a ^ b) + x15 + 530742520) | 0; c = (((n << 16) | (n >>> 16)) + d) | 0;
  n = (b + (c ^ d ^ a) + x2 - 995338651) | 0; b = (((n << 23) | (n >>> 9)) + c) | 0;
  // Round 4.
  n = (a + (c ^ (b | ~d)) + x0 - 198630844) | 0; a = (((n << 6) | (n >>> 26)) + b) | 0;
  n = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0; d = (((n << 10) | (n >>> 22)) + a) | 0;
  n = (c + (a ^ (d | ~b)) + x14 - 1416354905) | 0; c = (((n << 15) | (n >>> 17)) + d) | 0;
  n = (b + (d ^ (c | ~a)) + x5 - 57434055) | 0; b = (((n << 21) | (n >>> 11)) + c) | 0;
  n = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0; a = (((n << 6) | (n >>> 26)) + b) | 0;
  n = (d + (b ^ (a | ~c)) + x3 - 1894986606) | 0; d = (((n << 10) | (n >>> 22)) + a) | 0;
  n = (c + (a ^ (d | ~b)) + x10 - 1051523) | 0; c = (((n << 15) | (n >>> 17)) + d) | 0;
  n = (b + (d ^ (c | ~a)) + x1 - 2054922799) | 0; b = (((n << 21) | (n >>> 11)) + c) | 0;
  n = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0; a = (((n << 6) | (n >>> 26)) + b) | 0;
  n = (d + (b ^ (a | ~c)) + x15 - 30611744) | 0; d = (((n << 10) | (n >>> 22)) + a) | 0;
  n = (c + (a ^ (d | ~b)) + x6 - 1560198380) | 0; c = (((n << 15) | (n >>> 17)) + d) | 0;
  n = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0; b = (((n << 21) | (n >>> 11)) + c) | 0;
  n = (a + (c ^ (b | ~d)) + x4 - 145523070) | 0; a = (((n << 6) | (n >>> 26)) + b) | 0;
  n = (d + (b ^ (a | ~c)) + x11 - 1120210379) | 0; d = (((n << 10) | (n >>> 22)) + a) | 0;
  n = (c + (a ^ (d | ~b)) + x2 + 718787259) | 0; c = (((n << 15) | (n >>> 17)) + d) | 0;
  n = (b + (d ^ (c | ~a)) + x9 - 343485551) | 0; b = (((n << 21) | (n >>> 11)) + c) | 0;
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}

/** The running hash: one at a time (start, add, finish), as everything here runs to completion. */
const state = new Int32Array(4);
const pending = Buffer.alloc(BLOCK);
let pendingLength = 0;
let total = 0;

function begin(from: Int32Array, already: number): void {
  state.set(from);
  pendingLength = 0;
  total = already;
}

/** Adds `bytes` from `start` to `end` to the running hash (no view is made of them). */
export function addBytes(bytes: Uint8Array, start = 0, end = bytes.length): void {
  let offset = start;
  total += end - start;
  if (pendingLength > 0) {
    while (pendingLength < BLOCK && offset < end) pending[pendingLength++] = bytes[offset++]!;
    if (pendingLength < BLOCK) return;
    compress(state, pending, 0);
    pendingLength = 0;
  }
  for (; offset + BLOCK <= end; offset += BLOCK) compress(state, bytes, offset);
  while (offset < end) pending[pendingLength++] = bytes[offset++]!;
}

/** Pads what is pending (0x80, zeros, the length in bits) and writes the digest into `out` at `at`. */
function finish(out: Uint8Array, at: number): void {
  const bits = total * 8;
  pending[pendingLength++] = 0x80;
  if (pendingLength > BLOCK - 8) {
    while (pendingLength < BLOCK) pending[pendingLength++] = 0;
    compress(state, pending, 0);
    pendingLength = 0;
  }
  while (pendingLength < BLOCK - 8) pending[pendingLength++] = 0;
  const low = bits >>> 0;
  const high = Math.floor(bits / 2 ** 32);
  for (let i = 0; i < 4; i++) {
    pending[BLOCK - 8 + i] = (low >>> (8 * i)) & 255;
    pending[BLOCK - 4 + i] = (high >>> (8 * i)) & 255;
  }
  compress(state, pending, 0);
  for (let i = 0; i < 4; i++) {
    const word = state[i]!;
    out[at + i * 4] = word & 255;
    out[at + i * 4 + 1] = (word >>> 8) & 255;
    out[at + i * 4 + 2] = (word >>> 16) & 255;
    out[at + i * 4 + 3] = (word >>> 24) & 255;
  }
}

/** Starts an MD5: addBytes() the message, then finishMd5(). */
export function startMd5(): void {
  begin(INITIAL, 0);
}

/** The MD5 of what was added since startMd5(), into `out` at `at`. */
export function finishMd5(out: Uint8Array, at = 0): void {
  finish(out, at);
}

/** An HMAC-MD5 key: the states after its inner and outer pad blocks. */
export interface HmacMd5Key {
  inner: Int32Array;
  outer: Int32Array;
}

export function hmacMd5Key(secret: Uint8Array): HmacMd5Key {
  const key = Buffer.alloc(BLOCK);
  if (secret.length > BLOCK) {
    // RFC 2104 §2: a key longer than a block is hashed first.
    startMd5();
    addBytes(secret);
    finish(key, 0);
  } else key.set(secret);
  const pad = (byte: number) => {
    const block = Buffer.from(key.map((value) => value ^ byte));
    const padded = Int32Array.from(INITIAL);
    compress(padded, block, 0);
    return padded;
  };
  return { inner: pad(0x36), outer: pad(0x5c) };
}

const innerDigest = Buffer.alloc(16);

/** Starts an HMAC-MD5 with `key`: addBytes() the message, then finishHmacMd5() with the same key. */
export function startHmacMd5(key: HmacMd5Key): void {
  begin(key.inner, BLOCK);
}

/** The HMAC-MD5 of what was added since startHmacMd5(key), into `out` at `at`. */
export function finishHmacMd5(key: HmacMd5Key, out: Uint8Array, at = 0): void {
  finish(innerDigest, 0);
  begin(key.outer, BLOCK);
  addBytes(innerDigest);
  finish(out, at);
}
