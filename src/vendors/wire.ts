// A grant's reply attributes in wire form, for the Access-Accepts of the RADIUS server. Encoding
// them with the dictionaries for every accept cost more than the rest of a remembered device's
// MAC authentication; what they say depends only on the vendor and the grant, which is the same
// for every device of a role and school until the policy changes. So each (vendor, grant) is
// encoded once and kept; per accept only the values that differ between logins of one role are
// put in: the Class and the Session-Timeout (a device's end date shortens it). Grants with a
// quota's bytes left (different on every login) are encoded afresh, not kept. Given the policy
// object the grant came from (the policy cache's, the same object until a change replaces it),
// a kept encoding is found by that object, with no shape text built and hashed per accept.
import type { EncodableAttribute } from 'radius';
import type { Policy } from '../policy/fields.js';
import type { Grant } from '../policy/grant.js';
import { Attr, rawAttributes } from '../radius-wire/packet.js';
import type { Vendor } from '../store/nas.js';
import { adapterFor } from './registry.js';

const SESSION_TIMEOUT = 27;

/** Encoded grants kept per process (a handful of roles × schools × vendors); past it the oldest goes. */
const MAX_ENCODED_GRANTS = 1000;

function uint32(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/**
 * What the kept encoding depends on: every field of the grant but the per-login ones. Values as
 * JSON: a text value (a Filter-Id) cannot spell another field and so take another policy's encoding.
 */
function shapeOf(vendor: Vendor, grant: Grant): string {
  let key = vendor;
  for (const name in grant) {
    if (name !== 'className' && name !== 'sessionTimeout') key += `\n${name}=${JSON.stringify(grant[name as keyof Grant])}`;
  }
  return grant.sessionTimeout === undefined ? key : `${key}\nsessionTimeout`;
}

interface Kept {
  vendor: Vendor;
  role: string;
  timed: boolean;
  attributes: [number, Buffer][];
  /** The Session-Timeout last put in, as bytes: most accepts of a shape carry the same one. */
  timeout?: { seconds: number; bytes: Buffer };
}

function timeoutBytes(entry: Kept, seconds: number): Buffer {
  if (entry.timeout?.seconds !== seconds) entry.timeout = { seconds, bytes: uint32(seconds) };
  return entry.timeout.bytes;
}

/** A kept encoding with this login's Class and Session-Timeout put in. */
function withLoginValues(entry: Kept, grant: Grant, className: Buffer): EncodableAttribute[] {
  const attributes: EncodableAttribute[] = [];
  for (const attribute of entry.attributes) {
    const type = attribute[0];
    if (type === Attr.Class) attributes.push([type, className]);
    else if (type === SESSION_TIMEOUT && grant.sessionTimeout !== undefined) attributes.push([type, timeoutBytes(entry, grant.sessionTimeout)]);
    else attributes.push(attribute);
  }
  return attributes;
}

function encodable(attributes: EncodableAttribute[]): [number, Buffer][] | undefined {
  try {
    return rawAttributes(attributes);
  } catch {
    return undefined;
  }
}

/** Kept encodings found by policy object: a few vendors and a role each (two shapes: with and without a Session-Timeout). */
const MAX_PER_POLICY = 32;

export function createWireAttributes(max = MAX_ENCODED_GRANTS) {
  const kept = new Map<string, Kept>();
  // Weak: a policy replaced by a change takes its list with it.
  const byPolicy = new WeakMap<Policy, Kept[]>();

  /** The kept encoding of the grant's shape, made and kept on first use; a grant with a quota's
   * bytes left gets one of its own (kept: false); the named attributes when not encodable. */
  function keptFor(vendor: Vendor, grant: Grant): { entry: Kept; kept: boolean } | EncodableAttribute[] {
    const key = grant.dataLeft === undefined ? shapeOf(vendor, grant) : undefined;
    const found = key === undefined ? undefined : kept.get(key);
    if (found) return { entry: found, kept: true };
    const named = adapterFor(vendor).replyAttributes(grant);
    const encoded = encodable(named);
    // A value too long for an attribute: the named ones go on, the reply's encoding fails and
    // the transport drops it as 'reply-not-encodable', as it would any reply.
    if (!encoded) return named;
    const entry: Kept = { vendor, role: grant.role, timed: grant.sessionTimeout !== undefined, attributes: encoded };
    if (key === undefined) return { entry, kept: false };
    if (kept.size >= max) kept.delete(kept.keys().next().value!);
    kept.set(key, entry);
    return { entry, kept: true };
  }

  return {
    /**
     * The grant's reply attributes for the vendor, `[type, bytes]` each, with `className` as the
     * Class. `policy`, when given, is the one the grant was worked out from (policy/grant.ts).
     */
    attributes(vendor: Vendor, grant: Grant, className: Buffer, policy?: Policy): EncodableAttribute[] {
      const timed = grant.sessionTimeout !== undefined;
      const listed = policy && grant.dataLeft === undefined ? byPolicy.get(policy) : undefined;
      if (listed) {
        for (const entry of listed) if (entry.vendor === vendor && entry.role === grant.role && entry.timed === timed) return withLoginValues(entry, grant, className);
      }
      const found = keptFor(vendor, grant);
      if (Array.isArray(found)) return found;
      if (policy && found.kept) {
        const list = listed ?? [];
        if (!listed) byPolicy.set(policy, list);
        if (list.length >= MAX_PER_POLICY) list.shift();
        list.push(found.entry);
      }
      return withLoginValues(found.entry, grant, className);
    },
    size: () => kept.size,
  };
}

