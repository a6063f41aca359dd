// The Class signatures and verifications remembered on the RADIUS hot path (admission.ts,
// accounting.ts) say exactly what the signer says, never mix two logins, and stay bounded.
import { describe, expect, it } from 'vitest';
import { rememberedClasses } from '../../src/enforcement/admission.js';
import { rememberedVerifications } from '../../src/radius/handlers/accounting.js';
import { createClassSigner, type LoginClass } from '../../src/radius-wire/class-attribute.js';

const signer = createClassSigner('a session secret of the test');

function counting() {
  let formats = 0;
  let verifies = 0;
  return {
    format: (login: LoginClass, issuer: string) => (formats++, signer.format(login, issuer)),
    verify: (value: Buffer | undefined, issuer: string) => (verifies++, signer.verify(value, issuer)),
    counts: () => ({ formats, verifies }),
  };
}

describe('remembered Class signatures', () => {
  it('signs each login once and answers as the signer does', () => {
    const inner = counting();
    const classes = rememberedClasses(inner);
    const login: LoginClass = { kind: 'device', subject: '00:1b:63:00:00:01', role: 'student', school: 'a' };
    expect(classes.signed(login, '10.0.0.1').text).toBe(signer.format(login, '10.0.0.1'));
    expect(classes.signed({ ...login }, '10.0.0.1').text).toBe(signer.format(login, '10.0.0.1'));
    expect(inner.counts().formats).toBe(1);
    expect(classes.signed(login, '10.0.0.2').text).toBe(signer.format(login, '10.0.0.2'));
  });

  it('never gives one login the Class of another whose parts join to the same text', () => {
    const classes = rememberedClasses(counting());
    const a: LoginClass = { kind: 'user', subject: 'ab', role: 'c', school: 'd' };
    const b: LoginClass = { kind: 'user', subject: 'a', role: 'bc', school: 'd' };
    const c: LoginClass = { kind: 'user', subject: 'a', role: 'b', school: 'cd' };
    const formatted = [a, b, c].map((login) => classes.signed(login, '10.0.0.1').text);
    expect(formatted).toEqual([a, b, c].map((login) => signer.format(login, '10.0.0.1')));
    expect(new Set(formatted).size).toBe(3);
  });

  it('keeps at most its bound, dropping the oldest', () => {
    const inner = counting();
    const classes = rememberedClasses(inner, 2);
    const login = (subject: string): LoginClass => ({ kind: 'device', subject, role: 'student' });
    for (const subject of ['1', '2', '3', '1']) classes.signed(login(subject), 'n');
    expect(inner.counts().formats).toBe(4);
  });
});

describe('remembered Class verifications', () => {
  it('verifies as the signer does, for the NAS record it was issued to only', () => {
    const inner = counting();
    const classes = rememberedVerifications(inner);
    const login: LoginClass = { kind: 'user', subject: 'aigerim', role: 'teacher', school: 'a' };
    const value = Buffer.from(signer.format(login, '10.0.0.1'));
    expect(classes.verify(value, '10.0.0.1')).toEqual(login);
    expect(classes.verify(value, '10.0.0.1')).toEqual(login);
    expect(inner.counts().verifies).toBe(1);
    expect(classes.verify(value, '10.0.0.2')).toBeUndefined();
    expect(classes.verify(value, '10.0.0.2')).toBeUndefined();
    expect(classes.verify(undefined, '10.0.0.1')).toBeUndefined();
  });

  it('does not remember a forged Class, so a flood of them is checked each time', () => {
    const inner = counting();
    const classes = rememberedVerifications(inner);
    const forged = Buffer.from('mektep2/user/aigerim/teacher/a/AAAAAAAAAAAAAAAAAAAAAA');
    expect(classes.verify(forged, '10.0.0.1')).toBeUndefined();
    expect(classes.verify(forged, '10.0.0.1')).toBeUndefined();
    expect(inner.counts().verifies).toBe(2);
  });
});
