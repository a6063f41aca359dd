import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addBytes, finishHmacMd5, finishMd5, hmacMd5Key, startHmacMd5, startMd5, type HmacMd5Key } from '../../src/radius-wire/md5.js';
import { Code, encodeReply, parseFrame, requestAuthenticatorValid } from '../../src/radius-wire/packet.js';
import { seededBytes, seededRandom } from '../helpers/random.js';
import { accountingRequest } from '../helpers/radius-wire.js';

// Seeded: a failing length, split or secret comes again on the next run.
const random = seededRandom(1321);
const randomBytes = (length: number) => seededBytes(random, length);

// Every length around the block edges (55/56/64 bytes decide the padding), split at random.
const LENGTHS = [...Array.from({ length: 200 }, (_, i) => i), 255, 256, 1000, 4096];

/** Adds `bytes` in random ranges, as packet.ts adds a packet's parts around its authenticator. */
function addInRanges(bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length;) {
    const size = 1 + Math.floor(random() * 70);
    addBytes(bytes, offset, Math.min(offset + size, bytes.length));
    offset += size;
  }
}

function md5(bytes: Buffer, add: (bytes: Buffer) => void = addBytes): Buffer {
  const out = Buffer.alloc(16);
  startMd5();
  add(bytes);
  finishMd5(out);
  return out;
}

function hmacMd5(key: HmacMd5Key, bytes: Buffer, out = Buffer.alloc(16), at = 0): Buffer {
  startHmacMd5(key);
  addInRanges(bytes);
  finishHmacMd5(key, out, at);
  return out;
}

describe('MD5 and HMAC-MD5 for RADIUS authenticators', () => {
  it('gives the RFC 1321 test suite digests', () => {
    expect(md5(Buffer.from('')).toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5(Buffer.from('message digest')).toString('hex')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5(Buffer.from('1234567890'.repeat(8))).toString('hex')).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('hashes like node:crypto at every length, whatever the parts', () => {
    for (const length of LENGTHS) {
      const bytes = randomBytes(length);
      expect(md5(bytes, addInRanges), `length ${length}`).toEqual(createHash('md5').update(bytes).digest());
    }
  });

  it('signs like node:crypto with short, block-sized and long secrets (RFC 2104: a longer key is hashed first)', () => {
    for (const secretLength of [1, 16, 63, 64, 65, 200]) {
      const secret = randomBytes(secretLength);
      const key = hmacMd5Key(secret);
      for (const length of LENGTHS) {
        const bytes = randomBytes(length);
        expect(hmacMd5(key, bytes), `secret ${secretLength}, length ${length}`).toEqual(createHmac('md5', secret).update(bytes).digest());
      }
    }
  });

  it('writes into a buffer at an offset and leaves the rest alone', () => {
    const out = Buffer.alloc(40, 7);
    hmacMd5(hmacMd5Key(Buffer.from('s3cret')), Buffer.from('abc'), out, 20);
    expect(out.subarray(20, 36)).toEqual(createHmac('md5', 's3cret').update('abc').digest());
    expect([...out.subarray(0, 20), ...out.subarray(36)].every((byte) => byte === 7)).toBe(true);
  });
});

describe('RADIUS signatures with a secret seen for the first time', () => {
  it('signs a reply as node:crypto would, even with a secret longer than a hash block', () => {
    for (const secret of ['short one', 'x'.repeat(64), `a long shared secret ${randomBytes(60).toString('hex')}`]) {
      const requestAuthenticator = randomBytes(16);
      const reply = encodeReply({ code: Code.AccessAccept, identifier: 9, requestAuthenticator, attributes: [['Reply-Message', 'hello']], secret, messageAuthenticator: true });
      const unsigned = Buffer.from(reply);
      requestAuthenticator.copy(unsigned, 4);
      unsigned.fill(0, 22, 38);
      expect(reply.subarray(22, 38)).toEqual(createHmac('md5', secret).update(unsigned).digest());
      unsigned.set(reply.subarray(22, 38), 22);
      expect(reply.subarray(4, 20)).toEqual(createHash('md5').update(unsigned).update(secret).digest());
    }
  });

  it('checks an accounting Request Authenticator, even with a secret longer than a hash block', () => {
    for (const secret of [`another long secret ${randomBytes(60).toString('hex')}`, 'another short one']) {
      const parsed = parseFrame(accountingRequest(secret, [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'abc']]));
      if (typeof parsed === 'string') throw new Error(parsed);
      expect(requestAuthenticatorValid(parsed, secret)).toBe(true);
    }
  });
});
