import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chapMatches } from '../../src/radius/auth/chap.js';
import { decryptPap } from '../../src/radius/auth/pap.js';
import { formatClass, parseClass } from '../../src/radius/class-attribute.js';
import { Attr } from '../../src/radius/packet.js';
import { isLocallyAdministered, parseMac } from '../../src/store/mac.js';
import { accessRequest } from '../helpers/radius-wire.js';

describe('PAP', () => {
  it.each(['p', 'exactly16chars!!', 'a longer password over two blocks', 'Құпия сөз'])('recovers %j hidden by the radius codec', (password) => {
    const packet = accessRequest('s3cret', [['User-Password', password]], { messageAuthenticator: false });
    const hidden = packet.subarray(22, 20 + packet[21]!);
    expect(packet[20]).toBe(Attr.UserPassword);
    expect(decryptPap(hidden, 's3cret', packet.subarray(4, 20))).toBe(password);
    expect(decryptPap(hidden, 'other', packet.subarray(4, 20))).not.toBe(password);
  });

  it('refuses a hidden password that is not a whole number of 16-byte blocks', () => {
    expect(decryptPap(Buffer.alloc(15), 's', Buffer.alloc(16))).toBeUndefined();
    expect(decryptPap(Buffer.alloc(144), 's', Buffer.alloc(16))).toBeUndefined();
  });
});

describe('CHAP', () => {
  it('matches ident ‖ MD5(ident ‖ password ‖ challenge) and nothing else', () => {
    const challenge = randomBytes(16);
    const response = Buffer.concat([Buffer.from([7]), createHash('md5').update(Buffer.from([7])).update('token-pw').update(challenge).digest()]);
    expect(chapMatches(response, challenge, 'token-pw')).toBe(true);
    expect(chapMatches(response, challenge, 'token-pW')).toBe(false);
    expect(chapMatches(response, randomBytes(16), 'token-pw')).toBe(false);
    expect(chapMatches(response.subarray(0, 16), challenge, 'token-pw')).toBe(false);
  });
});

describe('MAC addresses', () => {
  it.each([
    ['AA:BB:CC:DD:EE:0F', 'aa:bb:cc:dd:ee:0f'],
    ['aa-bb-cc-dd-ee-0f', 'aa:bb:cc:dd:ee:0f'],
    ['aabb.ccdd.ee0f', 'aa:bb:cc:dd:ee:0f'],
    ['AABBCCDDEE0F', 'aa:bb:cc:dd:ee:0f'],
  ])('reads %s', (input, expected) => {
    expect(parseMac(input)).toBe(expected);
  });

  it.each(['aa:bb:cc:dd:ee', 'aa:bb-cc:dd:ee:0f', 'gg:bb:cc:dd:ee:0f', 'alice', ''])('refuses %j', (input) => {
    expect(parseMac(input)).toBeUndefined();
  });

  it('flags randomised (locally administered) addresses', () => {
    expect(isLocallyAdministered('da:a1:19:00:00:01')).toBe(true);
    expect(isLocallyAdministered('00:1b:63:00:00:01')).toBe(false);
  });
});

describe('Class attribute', () => {
  it('round-trips a login, with separators in names encoded', () => {
    const login = { kind: 'user' as const, subject: 'a/b@school', role: 'student', school: 'sch-1' };
    expect(parseClass(Buffer.from(formatClass(login)))).toEqual(login);
    expect(parseClass(Buffer.from('some-other-server-class'))).toBeUndefined();
    expect(parseClass(Buffer.from('mektep1/wizard/x/student/'))).toBeUndefined();
  });
});
