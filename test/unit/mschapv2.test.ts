import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticatorResponse, challengeHash, challengeResponse, encryptMppeKey, masterKey, serverMppeKeys, verifyMschapV2 } from '../../src/radius/auth/mschapv2.js';
import { md4, ntPasswordHash } from '../../src/security/md4.js';

// RFC 2759 §9.2 and RFC 3079 §3.5.3.
const hex = (value: string) => Buffer.from(value.replace(/ /g, ''), 'hex');
const authenticatorChallenge = hex('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
const peerChallenge = hex('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
const ntResponse = hex('82 30 9E CD 8D 70 8B 5E A0 8F AA 39 81 CD 83 54 42 33 11 4A 3D 85 D6 DF');

describe('MD4 (RFC 1320 test suite)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('MD4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input)).toString('hex')).toBe(digest);
  });
});

describe('MS-CHAPv2 with the RFC 2759 and RFC 3079 vectors', () => {
  const passwordHash = ntPasswordHash('clientPass');

  it('derives every intermediate value', () => {
    expect(passwordHash.toString('hex').toUpperCase()).toBe('44EBBA8D5312B8D611474411F56989AE');
    expect(md4(passwordHash).toString('hex').toUpperCase()).toBe('41C00C584BD2D91C4017A2A12FA59F3F');
    const challenge = challengeHash(peerChallenge, authenticatorChallenge, 'User');
    expect(challenge.toString('hex').toUpperCase()).toBe('D02E4386BCE91226');
    expect(challengeResponse(challenge, passwordHash).equals(ntResponse)).toBe(true);
    expect(authenticatorResponse(passwordHash, ntResponse, challenge)).toBe('S=407A5589115FD0D6209F510FE9C04566932CDA56');
    const master = masterKey(passwordHash, ntResponse);
    expect(master.toString('hex').toUpperCase()).toBe('FDECE3717A8C838CB388E527AE3CDD31');
    expect(serverMppeKeys(master).send.toString('hex').toUpperCase()).toBe('8B7CDC149B993A1BA118CB153F56DCCB');
  });

  it('verifies an MS-CHAP2-Response and refuses a wrong password or user name', () => {
    const response = Buffer.concat([Buffer.from([1, 0]), peerChallenge, Buffer.alloc(8), ntResponse]);
    const result = verifyMschapV2(response, authenticatorChallenge, 'User', passwordHash);
    expect(result.ok).toBe(true);
    expect(result.success!.toString('latin1')).toBe('\u0001S=407A5589115FD0D6209F510FE9C04566932CDA56');
    expect(verifyMschapV2(response, authenticatorChallenge, 'User', ntPasswordHash('clientpass')).ok).toBe(false);
    expect(verifyMschapV2(response, authenticatorChallenge, 'Someone', passwordHash).ok).toBe(false);
    expect(verifyMschapV2(response.subarray(0, 49), authenticatorChallenge, 'User', passwordHash).ok).toBe(false);
  });

  it('hides MPPE keys as RFC 2548 says: salt, then the length-prefixed key in an MD5 chain', () => {
    const key = hex('8B7CDC149B993A1BA118CB153F56DCCB');
    const requestAuthenticator = Buffer.alloc(16, 3);
    const salt = Buffer.from([0x80, 0x01]);
    const hidden = encryptMppeKey(key, 's3cret', requestAuthenticator, salt);
    expect(hidden.length).toBe(2 + 32);
    expect(hidden.subarray(0, 2).equals(salt)).toBe(true);
    const c1 = hidden.subarray(2, 18);
    const c2 = hidden.subarray(18, 34);
    const b1 = createHash('md5').update('s3cret').update(requestAuthenticator).update(salt).digest();
    const b2 = createHash('md5').update('s3cret').update(c1).digest();
    const plain = Buffer.concat([Buffer.from(c1.map((byte, i) => byte ^ b1[i]!)), Buffer.from(c2.map((byte, i) => byte ^ b2[i]!))]);
    expect(plain[0]).toBe(16);
    expect(plain.subarray(1, 17).equals(key)).toBe(true);
    expect(plain.subarray(17).equals(Buffer.alloc(15))).toBe(true);
  });
});
