import { describe, expect, it } from 'vitest';
import type { EncodableAttribute } from 'radius';
import { grantFrom, type Grant } from '../../src/policy/grant.js';
import { Code, encodeReply } from '../../src/radius-wire/packet.js';
import { VENDORS } from '../../src/store/nas.js';
import { adapterFor } from '../../src/vendors/registry.js';
import { createWireAttributes } from '../../src/vendors/wire.js';

const now = Date.parse('2026-11-25T10:00:00Z');

function encoded(attributes: EncodableAttribute[]): Buffer {
  return encodeReply({ code: Code.AccessAccept, identifier: 7, requestAuthenticator: Buffer.alloc(16, 3), attributes, secret: 's3cret', messageAuthenticator: true });
}

// Policies that touch every part of a reply: rates and bursts, timeouts, Filter-Id, VLAN, quotas.
const POLICIES = [
  {},
  { downRate: 5_000_000, upRate: 1_000_000, sessionTimeout: 28_800 },
  { downRate: 5_000_000, upRate: 1_000_000, burstDownRate: 8_000_000, burstSeconds: 12, idleTimeout: 900, filterId: 'students', vlan: 120 },
  { downRate: 2_000_000, interimInterval: 60, dailyQuota: 2_000_000_000 },
];

describe('reply attributes kept in wire form', () => {
  it('are byte for byte what the vendor adapter and the dictionaries give, for every vendor, login and end date', () => {
    const wire = createWireAttributes();
    for (const vendor of VENDORS) {
      for (const policy of POLICIES) {
        // The same shapes again and again (served from what was kept), with other Classes and end dates.
        for (const [index, validUntil] of [undefined, now + 600_000, now + 7_200_000, undefined, now + 5_000].entries()) {
          const grant: Grant = grantFrom('student', policy, { now, ...(validUntil ? { validUntil } : {}), ...(policy.dailyQuota ? { dataLeft: 1_000_000 + index } : {}) }, `mektep2/user/pupil${index}/student/sch-1/sig${index}`);
          const expected = encoded(adapterFor(vendor).replyAttributes(grant));
          expect(encoded(wire.attributes(vendor, grant, Buffer.from(grant.className))), `${vendor} ${JSON.stringify(policy)} #${index}`).toEqual(expected);
        }
      }
    }
  });

  it('found by the policy object the grant came from: byte for byte the same, whatever the vendor, end date, role or quota', () => {
    const wire = createWireAttributes();
    // One object per policy, as the policy cache hands it out, asked for in every order.
    for (let round = 0; round < 2; round++) {
      for (const vendor of VENDORS) {
        for (const policy of POLICIES) {
          // Each role with and without an end date (a Session-Timeout or none).
          for (const [index, validUntil] of [undefined, now + 600_000, now + 5_000, undefined].entries()) {
            const role = index < 2 ? 'student' : 'teacher';
            const grant = grantFrom(role, policy, { now, ...(validUntil ? { validUntil } : {}), ...(policy.dailyQuota ? { dataLeft: 1_000_000 + index } : {}) }, `mektep2/device/m${index}/${role}/sch-1/sig${round}`);
            const expected = encoded(adapterFor(vendor).replyAttributes(grant));
            expect(encoded(wire.attributes(vendor, grant, Buffer.from(grant.className), policy)), `${vendor} ${JSON.stringify(policy)} ${role} #${index}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('keep one encoding per vendor and grant shape, bounded, and none for grants with a quota left', () => {
    const wire = createWireAttributes(3);
    const grant = (role: string, policy = {}) => grantFrom(role, policy, { now }, 'c');
    wire.attributes('mikrotik', grant('student', { sessionTimeout: 60 }), Buffer.from('c'));
    wire.attributes('mikrotik', grantFrom('student', { sessionTimeout: 60 }, { now, validUntil: now + 30_000 }, 'd'), Buffer.from('d'));
    expect(wire.size()).toBe(1);
    wire.attributes('chilli', grant('student'), Buffer.from('c'));
    wire.attributes('aruba', grant('teacher'), Buffer.from('c'));
    wire.attributes('aruba', grant('guest'), Buffer.from('c'));
    expect(wire.size()).toBe(3);
    wire.attributes('mikrotik', grantFrom('student', { dailyQuota: 10 }, { now, dataLeft: 5 }, 'c'), Buffer.from('c'));
    expect(wire.size()).toBe(3);
  });

  it('follow a policy change: another rate is another shape', () => {
    const wire = createWireAttributes();
    const before = encoded(wire.attributes('mikrotik', grantFrom('student', { downRate: 5_000_000 }, { now }, 'c'), Buffer.from('c')));
    const after = encoded(wire.attributes('mikrotik', grantFrom('student', { downRate: 10_000_000 }, { now }, 'c'), Buffer.from('c')));
    expect(after).not.toEqual(before);
    expect(after.includes(Buffer.from('0/10000k'))).toBe(true);
  });

  it("never give one grant another's encoding, whatever its texts spell", () => {
    const wire = createWireAttributes();
    // A Filter-Id spelling another field (stored before filterId refused line breaks) and the grant it spells.
    const spelled = grantFrom('student', { filterId: 'x\nvlan=120' }, { now }, 'c');
    const plain = grantFrom('student', { filterId: 'x', vlan: 120 }, { now }, 'c');
    for (const grant of [spelled, plain, spelled]) {
      expect(encoded(wire.attributes('mikrotik', grant, Buffer.from('c')))).toEqual(encoded(adapterFor('mikrotik').replyAttributes(grant)));
    }
  });

  it('leave a grant the dictionaries cannot encode to the reply, which is then dropped as not encodable, as before', () => {
    const wire = createWireAttributes();
    const grant = grantFrom('student', { filterId: 'f'.repeat(300) }, { now }, 'c');
    expect(() => encoded(adapterFor('generic').replyAttributes(grant))).toThrow(/reply attributes cannot be encoded/);
    const attributes = wire.attributes('generic', grant, Buffer.from('c'));
    expect(() => encoded(attributes)).toThrow(/reply attributes cannot be encoded/);
    expect(wire.size()).toBe(0);
  });
});
