import { describe, expect, it } from 'vitest';
import { grantFrom } from '../../src/policy/grant.js';
import { encodeReply, parseFrame, Code } from '../../src/radius-wire/packet.js';
import { chilli } from '../../src/vendors/chilli.js';
import { mikrotik, mikrotikRateLimit } from '../../src/vendors/mikrotik.js';
import { adapterFor } from '../../src/vendors/registry.js';
import { VENDORS } from '../../src/store/nas.js';

const now = Date.parse('2026-11-25T10:00:00Z');

describe('grants', () => {
  it('ends the session at the smaller of the role timeout and the account expiry', () => {
    expect(grantFrom('student', { sessionTimeout: 8 * 3600 }, { now }, 'c').sessionTimeout).toBe(28_800);
    expect(grantFrom('student', { sessionTimeout: 8 * 3600 }, { now, validUntil: now + 600_000 }, 'c').sessionTimeout).toBe(600);
    expect(grantFrom('student', {}, { now }, 'c')).toEqual({ role: 'student', interimInterval: 300, className: 'c' });
  });
});

describe('vendor attributes', () => {
  const grant = grantFrom('student', { downRate: 5_000_000, upRate: 1_000_000, sessionTimeout: 3600, idleTimeout: 900 }, { now }, 'mektep1/user/a/student/');

  it('MikroTik: rx/tx is client upload/download, in kbit/s', () => {
    expect(mikrotikRateLimit(grant)).toBe('1000k/5000k');
    expect(mikrotikRateLimit({ ...grant, burstDownRate: 8_000_000, burstSeconds: 10 })).toBe('1000k/5000k 1000k/8000k 1000k/5000k 10/10');
    expect(mikrotikRateLimit({ role: 'x', interimInterval: 300, className: '' })).toBeUndefined();
  });

  function encoded(attributes: ReturnType<typeof mikrotik.replyAttributes>): Buffer {
    return encodeReply({ code: Code.AccessAccept, identifier: 1, requestAuthenticator: Buffer.alloc(16), attributes, secret: 's', messageAuthenticator: true });
  }

  function vsa(packet: Buffer, vendor: number, type: number): Buffer | undefined {
    const frame = parseFrame(packet);
    if (typeof frame === 'string') throw new Error(frame);
    for (const attribute of frame.attributes.filter((a) => a.type === 26 && a.value.readUInt32BE(0) === vendor)) {
      for (let offset = 4; offset < attribute.value.length; offset += attribute.value[offset + 1]!) {
        if (attribute.value[offset] === type) return attribute.value.subarray(offset + 2, offset + attribute.value[offset + 1]!);
      }
    }
    return undefined;
  }

  it('MikroTik: the rate limit and a 5 GB total limit split into Gigawords', () => {
    const packet = encoded(mikrotik.replyAttributes({ ...grant, dataLeft: 5_000_000_000 }));
    expect(vsa(packet, 14988, 8)?.toString()).toBe('1000k/5000k');
    const low = vsa(packet, 14988, 17)!.readUInt32BE(0);
    const giga = vsa(packet, 14988, 18)!.readUInt32BE(0);
    expect(giga * 2 ** 32 + low).toBe(5_000_000_000);
  });

  it('CoovaChilli: ChilliSpot bandwidth in kbit/s plus WISPr in bit/s', () => {
    const packet = encoded(chilli.replyAttributes(grant));
    expect(vsa(packet, 14559, 4)!.readUInt32BE(0)).toBe(1000);
    expect(vsa(packet, 14559, 5)!.readUInt32BE(0)).toBe(5000);
    expect(vsa(packet, 14122, 7)!.readUInt32BE(0)).toBe(1_000_000);
    expect(vsa(packet, 14122, 8)!.readUInt32BE(0)).toBe(5_000_000);
  });

  it('generic: standard timeouts, interim interval, Class and tagged VLAN attributes', () => {
    const packet = encoded(adapterFor('generic').replyAttributes({ ...grant, vlan: 120 }));
    const frame = parseFrame(packet);
    if (typeof frame === 'string') throw new Error(frame);
    const byType = (type: number) => frame.attributes.find((a) => a.type === type)?.value;
    expect(byType(27)!.readUInt32BE(0)).toBe(3600);
    expect(byType(28)!.readUInt32BE(0)).toBe(900);
    expect(byType(85)!.readUInt32BE(0)).toBe(300);
    expect(byType(25)!.toString()).toBe('mektep1/user/a/student/');
    expect([...byType(64)!]).toEqual([1, 0, 0, 13]);
    expect([...byType(65)!]).toEqual([1, 0, 0, 6]);
    expect(byType(81)!.toString('latin1')).toBe('\u0001120');
    expect(vsa(packet, 14122, 8)!.readUInt32BE(0)).toBe(5_000_000);
  });

  it('Cisco: Airespace bandwidth contracts in kbit/s and the ACL name from Filter-Id', () => {
    const packet = encoded(adapterFor('cisco').replyAttributes({ ...grant, filterId: 'students-acl' }));
    expect(vsa(packet, 14179, 7)!.readUInt32BE(0)).toBe(5000);
    expect(vsa(packet, 14179, 13)!.readUInt32BE(0)).toBe(1000);
    expect(vsa(packet, 14179, 6)!.toString()).toBe('students-acl');
  });

  it('Aruba, Meraki and Fortinet name the controller role: Filter-Id when set, else the Mektep role', () => {
    expect(vsa(encoded(adapterFor('aruba').replyAttributes(grant)), 14823, 1)!.toString()).toBe('student');
    expect(vsa(encoded(adapterFor('aruba').replyAttributes({ ...grant, filterId: 'exam' })), 14823, 1)!.toString()).toBe('exam');
    expect(vsa(encoded(adapterFor('fortinet').replyAttributes(grant)), 12356, 1)!.toString()).toBe('student');
    const meraki = parseFrame(encoded(adapterFor('meraki').replyAttributes(grant)));
    if (typeof meraki === 'string') throw new Error(meraki);
    expect(meraki.attributes.find((a) => a.type === 11)!.value.toString()).toBe('student');
  });

  it('UniFi and openNDS get time limits only, and no vendor applies CoA that cannot', () => {
    const packet = encoded(adapterFor('unifi').replyAttributes(grant));
    const frame = parseFrame(packet);
    if (typeof frame === 'string') throw new Error(frame);
    expect(frame.attributes.some((a) => a.type === 26)).toBe(false);
    expect(frame.attributes.find((a) => a.type === 27)!.value.readUInt32BE(0)).toBe(3600);
    expect(Object.fromEntries(VENDORS.map((vendor) => [vendor, adapterFor(vendor).canCoa]))).toEqual({
      mikrotik: true, chilli: true, opennds: false, cisco: true, aruba: true, meraki: false, unifi: false, fortinet: false, generic: true,
    });
  });
});
