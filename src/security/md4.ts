// MD4 (RFC 1320), needed only for the NT password hash of MS-CHAPv2. OpenSSL 3 moved MD4 to its
// legacy provider, which Node does not load, so it is computed here.
const S = [[3, 7, 11, 19], [3, 5, 9, 13], [3, 9, 11, 15]] as const;
const ORDER2 = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const ORDER3 = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

export function md4(message: Buffer): Buffer {
  const bitLength = message.length * 8;
  const padded = Buffer.alloc(Math.ceil((message.length + 9) / 64) * 64);
  message.copy(padded);
  padded[message.length] = 0x80;
  padded.writeUInt32LE(bitLength >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bitLength / 2 ** 32), padded.length - 4);

  let [a, b, c, d] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const x = new Array<number>(16);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(block + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    for (let i = 0; i < 16; i++) {
      const f = (b & c) | (~b & d);
      [a, b, c, d] = [d, rotl((a + f + x[i]!) >>> 0, S[0][i % 4]!), b, c];
    }
    for (let i = 0; i < 16; i++) {
      const g = (b & c) | (b & d) | (c & d);
      [a, b, c, d] = [d, rotl((a + g + x[ORDER2[i]!]! + 0x5a827999) >>> 0, S[1][i % 4]!), b, c];
    }
    for (let i = 0; i < 16; i++) {
      const h = b ^ c ^ d;
      [a, b, c, d] = [d, rotl((a + h + x[ORDER3[i]!]! + 0x6ed9eba1) >>> 0, S[2][i % 4]!), b, c];
    }
    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }
  const out = Buffer.alloc(16);
  [a, b, c, d].forEach((word, i) => out.writeUInt32LE(word, i * 4));
  return out;
}

/** NtPasswordHash (RFC 2759 §8.3): MD4 of the password in UTF-16LE. */
export function ntPasswordHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}
