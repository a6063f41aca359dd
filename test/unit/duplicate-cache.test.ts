// The RFC 5080 duplicate cache (radius/duplicate-cache.ts): a request is the same one again only
// from the same address and port with the same code, Identifier and Request Authenticator; the
// cache stays within its bound and forgets what expired.
import { describe, expect, it } from 'vitest';
import { createDuplicateCache, entryFor, sameAuthenticator, slotOf } from '../../src/radius/duplicate-cache.js';

const authenticator = (byte: number) => Buffer.alloc(16, byte);

describe('the duplicate cache', () => {
  it('tells a retransmission from a new request by every byte of the authenticator', () => {
    const entry = entryFor(authenticator(7), 0);
    expect(sameAuthenticator(entry, authenticator(7))).toBe(true);
    for (let at = 0; at < 16; at++) {
      const other = authenticator(7);
      other[at] = 0xff;
      expect(sameAuthenticator(entry, other), `byte ${at}`).toBe(false);
    }
    expect(sameAuthenticator(entryFor(Buffer.alloc(16, 0xff), 0), Buffer.alloc(16, 0xff))).toBe(true);
  });

  it('keeps requests apart by address, port, code and Identifier', () => {
    const cache = createDuplicateCache(100);
    const slots = [slotOf(1812, 1, 0), slotOf(1812, 1, 255), slotOf(1812, 12, 0), slotOf(1813, 1, 0), slotOf(65_535, 255, 255), slotOf(0, 0, 0)];
    expect(new Set(slots).size).toBe(slots.length);
    slots.forEach((slot, index) => cache.set('10.0.0.1', slot, entryFor(authenticator(index), index)));
    cache.set('10.0.0.2', slots[0]!, entryFor(authenticator(99), 99));
    expect(cache.size()).toBe(slots.length + 1);
    slots.forEach((slot, index) => expect(cache.get('10.0.0.1', slot)?.expires).toBe(index));
    expect(cache.get('10.0.0.2', slots[0]!)?.expires).toBe(99);
    expect(cache.get('10.0.0.2', slots[1]!)).toBeUndefined();
  });

  it('replaces an entry in place, drops the oldest past its bound, and forgets what expired', () => {
    const cache = createDuplicateCache(3);
    cache.set('a', 1, entryFor(authenticator(1), 10));
    cache.set('b', 1, entryFor(authenticator(2), 20));
    cache.set('b', 1, entryFor(authenticator(3), 30));
    cache.set('b', 2, entryFor(authenticator(4), 40));
    expect(cache.size()).toBe(3);
    cache.set('c', 1, entryFor(authenticator(5), 50));
    expect(cache.size()).toBe(3);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)?.expires).toBe(30);
    cache.sweep(41);
    expect(cache.size()).toBe(1);
    expect(cache.get('c', 1)?.expires).toBe(50);
    const last = cache.get('c', 1)!;
    cache.delete('c', 1, last);
    cache.delete('c', 1, last);
    expect(cache.size()).toBe(0);
    cache.set('c', 2, entryFor(authenticator(6), 60));
    expect(cache.get('c', 2)?.expires).toBe(60);
  });

  it("leaves a newer request's entry when an older request in its slot fails or is dropped late", () => {
    const cache = createDuplicateCache(10);
    const older = entryFor(authenticator(1), 10);
    cache.set('a', 1, older);
    const newer = entryFor(authenticator(2), 20);
    cache.set('a', 1, newer);
    cache.delete('a', 1, older);
    expect(cache.get('a', 1)).toBe(newer);
    expect(cache.size()).toBe(1);
    cache.delete('a', 1, newer);
    expect(cache.get('a', 1)).toBeUndefined();
  });
});
