// Reading a request's attributes straight from the frame: the few a handler needs, without a
// full dictionary decode on the hot path.
import { Attr, type Frame } from './packet.js';

export class RadiusRequest {
  constructor(readonly frame: Frame) {}

  get code(): number {
    return this.frame.code;
  }

  raw(type: number): Buffer | undefined {
    for (const attribute of this.frame.attributes) if (attribute.type === type) return attribute.value;
    return undefined;
  }

  all(type: number): Buffer[] {
    return this.frame.attributes.filter((attribute) => attribute.type === type).map((attribute) => attribute.value);
  }

  has(type: number): boolean {
    return this.raw(type) !== undefined;
  }

  string(type: number): string | undefined {
    return this.raw(type)?.toString('utf8');
  }

  integer(type: number): number | undefined {
    const value = this.raw(type);
    return value?.length === 4 ? value.readUInt32BE(0) : undefined;
  }

  ipv4(type: number): string | undefined {
    const value = this.raw(type);
    return value?.length === 4 ? [...value].join('.') : undefined;
  }

  /** A vendor-specific sub-attribute (RFC 2865 §5.26 layout: vendor id, then type/length/value). */
  vendor(vendorId: number, type: number): Buffer | undefined {
    for (const value of this.all(Attr.VendorSpecific)) {
      if (value.length < 6 || value.readUInt32BE(0) !== vendorId) continue;
      for (let offset = 4; offset + 2 <= value.length;) {
        const subType = value[offset]!;
        const subLength = value[offset + 1]!;
        if (subLength < 2 || offset + subLength > value.length) break;
        if (subType === type) return value.subarray(offset + 2, offset + subLength);
        offset += subLength;
      }
    }
    return undefined;
  }
}
