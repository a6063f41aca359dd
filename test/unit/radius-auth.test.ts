import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chapMatches } from '../../src/radius/auth/chap.js';
import { decryptPap } from '../../src/radius/auth/pap.js';
import { createClassSigner, MAX_CLASS_LENGTH } from '../../src/radius-wire/class-attribute.js';
import { Attr } from '../../src/radius-wire/packet.js';
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
  const classes = createClassSigner('session-secret-for-class-tests');
  const login = { kind: 'user' as const, subject: 'a/b%c@school', role: 'student', school: 'sch-1' };

  it('round-trips a login for the NAS it was issued to, with separators in names escaped', () => {
    expect(classes.verify(Buffer.from(classes.format(login, '10.0.0.1')), '10.0.0.1')).toEqual(login);
    expect(classes.verify(Buffer.from('some-other-server-class'), '10.0.0.1')).toBeUndefined();
    expect(classes.verify(Buffer.from('mektep1/user/a/student/sch-1'), '10.0.0.1')).toBeUndefined();
  });

  it('does not verify for another NAS, another secret, or with any part changed', () => {
    const issued = classes.format(login, '10.0.0.0/24');
    expect(classes.verify(Buffer.from(issued), '10.0.0.0/24')).toEqual(login);
    expect(classes.verify(Buffer.from(issued), '10.0.9.1')).toBeUndefined();
    expect(createClassSigner('another-secret').verify(Buffer.from(issued), '10.0.0.0/24')).toBeUndefined();
    for (const forged of [issued.replace('/student/', '/teacher/'), issued.replace('sch-1', 'sch-2'), issued.replace('mektep2/user', 'mektep2/device'), `${issued.slice(0, -1)}A`, issued.slice(0, -2)]) {
      expect(classes.verify(Buffer.from(forged), '10.0.0.0/24')).toBeUndefined();
    }
  });

  it('fits one attribute (253 octets) for the longest username, role and school', () => {
    const longest = { kind: 'voucher' as const, subject: `a${'@'.repeat(63)}`, role: 'r'.repeat(63), school: 's'.repeat(63) };
    const issued = classes.format(longest, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(Buffer.byteLength(issued)).toBeLessThanOrEqual(MAX_CLASS_LENGTH);
    expect(classes.verify(Buffer.from(issued), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual(longest);
  });
});
