// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104) for RADIUS's authenticators, in plain JavaScript.
// node:crypto creates a native hash object per call (allocation, a weak handle, the secret
// converted from UTF-16 each time): three of them per Access-Request cost more than the hashing
// itself. Here the state lives in preallocated typed arrays, and HMAC keys are prepared once per
// secret (the ipad and opad blocks already compressed). Checked against node:crypto in
// test/unit/md5.test.ts. Not for anything but RADIUS's MD5-based authenticators.

const S = new Int32Array([7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]);
const K = new Int32Array(64).map((_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const INITIAL = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
const BLOCK = 64;

const words = new Int32Array(16);

function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const at = offset + i * 4;
    words[i] = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  // The four rounds as four loops: no branch per step.
  for (let i = 0; i < 16; i++) {
    const sum = (a + ((b & c) | (~b & d)) + K[i]! + words[i]!) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << S[i]!) | (sum >>> (32 - S[i]!)))) | 0;
  }
  for (let i = 16; i < 32; i++) {
    const sum = (a + ((d & b) | (~d & c)) + K[i]! + words[(5 * i + 1) & 15]!) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << S[i]!) | (sum >>> (32 - S[i]!)))) | 0;
  }
  for (let i = 32; i < 48; i++) {
    const sum = (a + (b ^ c ^ d) + K[i]! + words[(3 * i + 5) & 15]!) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << S[i]!) | (sum >>> (32 - S[i]!)))) | 0;
  }
  for (let i = 48; i < 64; i++) {
    const sum = (a + (c ^ (b | ~d)) + K[i]! + words[(7 * i) & 15]!) | 0;
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << S[i]!) | (sum >>> (32 - S[i]!)))) | 0;
  }
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
