// Request templates for the load: encoded once per device, then only the identifier, the
// authenticator and the signature change per request, so the generator stays cheap.
import { createHash, createHmac, randomFillSync } from 'node:crypto';
import type { EncodableAttribute } from 'radius';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';

/** MAC authentication as access points send it: Service-Type = Call-Check, with Message-Authenticator. */
export function macAuthTemplate(mac: string, secret: string): (identifier: number) => Buffer {
  const template = loadDictionaries().encode({
    code: 'Access-Request',
    identifier: 0,
    authenticator: Buffer.alloc(16),
    secret,
    attributes: [['User-Name', mac], ['Calling-Station-Id', mac.replace(/:/g, '-').toUpperCase()], ['Service-Type', 'Call-Check'], ['NAS-IP-Address', '127.0.0.1'], ['Message-Authenticator', Buffer.alloc(16)]],
    add_message_authenticator: false,
  });
  return (identifier) => {
    const packet = Buffer.from(template);
    packet[1] = identifier;
    randomFillSync(packet, 4, 16);
    packet.fill(0, packet.length - 16);
    createHmac('md5', secret).update(packet).digest().copy(packet, packet.length - 16);
    return packet;
  };
}

/** Interim-Update of one device's session, octet counters growing with `step`; with the Class
 * of the device's Access-Accept when given, as a NAS echoes it (RFC 2865 §5.25). */
export function interimTemplate(mac: string, secret: string, status: 'Start' | 'Interim-Update', className?: Buffer): (identifier: number, step: number) => Buffer {
  const radius = loadDictionaries();
  return (identifier, step) => {
    const packet = radius.encode({
      code: 'Accounting-Request',
      identifier,
      authenticator: Buffer.alloc(16),
      secret,
      attributes: [
        ['Acct-Status-Type', status], ['Acct-Session-Id', `bench-${mac}`], ['User-Name', mac], ['Calling-Station-Id', mac],
        ['NAS-IP-Address', '127.0.0.1'], ['Acct-Input-Octets', step * 1000], ['Acct-Output-Octets', step * 50_000], ['Acct-Session-Time', step * 300],
        ...(className ? [['Class', className] as EncodableAttribute] : []),
      ],
      add_message_authenticator: false,
    });
    packet.fill(0, 4, 20);
    createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
    return packet;
  };
}

/** The value of the first attribute of `type` in a RADIUS packet, or undefined. */
export function attributeOf(packet: Buffer, type: number): Buffer | undefined {
  for (let offset = 20; offset + 2 <= packet.length && packet[offset + 1]! >= 2; offset += packet[offset + 1]!) {
    if (packet[offset] === type) return packet.subarray(offset + 2, offset + packet[offset + 1]!);
  }
  return undefined;
}

export function benchMacs(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `00:1b:63:${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`);
}
