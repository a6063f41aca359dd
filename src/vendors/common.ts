// Reply attributes every vendor understands (RFC 2865, 2868, 2869), and helpers for VSAs.
import type { EncodableAttribute } from 'radius';
import type { Grant } from '../policy/grant.js';

const TWO_32 = 2 ** 32;

/** bit/s → kbit/s as most vendors take rates: rounded, never 0 (0 often means "no limit"). */
export function kbps(bitsPerSecond: number): number {
  return Math.max(1, Math.round(bitsPerSecond / 1000));
}

/** A 64-bit byte count as (low 32 bits, Gigawords), the RADIUS way. */
export function splitGigawords(bytes: number): { low: number; giga: number } {
  return { low: bytes % TWO_32, giga: Math.floor(bytes / TWO_32) };
}

// Tunnel-* are tagged attributes: tag byte 1, then the value (RFC 2868 §3). Encoded here as raw
// bytes because the codec mis-sizes untagged attributes that follow a tagged one.
function tagged(type: number, value: number): EncodableAttribute {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  buffer[0] = 1;
  return [type, buffer];
}

export function standardAttributes(grant: Grant): EncodableAttribute[] {
  const attributes: EncodableAttribute[] = [['Class', Buffer.from(grant.className)]];
  if (grant.sessionTimeout !== undefined) attributes.push(['Session-Timeout', grant.sessionTimeout]);
  if (grant.idleTimeout !== undefined) attributes.push(['Idle-Timeout', grant.idleTimeout]);
  attributes.push(['Acct-Interim-Interval', grant.interimInterval]);
  if (grant.filterId !== undefined) attributes.push(['Filter-Id', grant.filterId]);
  if (grant.vlan !== undefined) {
    // Tunnel-Type 13 = VLAN, Tunnel-Medium-Type 6 = IEEE-802, Tunnel-Private-Group-Id = the VLAN id.
    attributes.push(tagged(64, 13), tagged(65, 6), [81, Buffer.concat([Buffer.from([1]), Buffer.from(String(grant.vlan))])]);
  }
  return attributes;
}

/** WISPr bandwidth in bit/s (vendor 14122), which Chilli, MikroTik and many others honour. */
export function wisprBandwidth(grant: Grant): EncodableAttribute[] {
  const wispr: EncodableAttribute[] = [];
  if (grant.upRate !== undefined) wispr.push(['WISPr-Bandwidth-Max-Up', grant.upRate]);
  if (grant.downRate !== undefined) wispr.push(['WISPr-Bandwidth-Max-Down', grant.downRate]);
  return wispr.length ? [['Vendor-Specific', 14122, wispr]] : [];
}
