// A category list in memory: the 64-bit hash of every listed name, sorted, in one typed array
// (8 bytes a name; a Set<string> costs ~165 bytes). A lookup hashes each suffix of the asked
// name and binary-searches it, so "a rule covers its subdomains" costs a few probes and no
// string is allocated. Two different names share a hash with probability ~n/2^64 per probe
// (1 in 4·10^12 for a 4.5-million list); the import reports any collision among listed names.
// Figures and the alternatives measured: docs/content.md, bench/dns.ts.

export interface DomainSet {
  size: number;
  /** Bytes held by the hashes. */
  bytes: number;
  /** Whether exactly this name is listed. */
  has(name: string): boolean;
  /** The listed name that covers `name` (itself or a parent), or undefined. */
  covering(name: string): string | undefined;
  /** Whether any suffix hash given is listed (see suffixHashes); its index, or -1. */
  firstListed(hashes: Uint32Array, count: number): number;
}

/** A cyrb53-style pair of 32-bit multiply-xor hashes over char codes [start, end): lo, hi. */
export function hashRange(text: string, start: number, end: number, out: Uint32Array, at: number): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[at] = h1 >>> 0;
  out[at + 1] = h2 >>> 0;
}

/** The 127 labels a DNS name can have at most, two words each. */
const MAX_SUFFIXES = 128;

export interface SuffixHashes {
  hashes: Uint32Array;
  starts: number[];
  count: number;
}

/** Hashes of the name and each parent ("a.b.c", "b.c", "c"), computed once for all lists. */
export function suffixHashes(name: string, into: SuffixHashes = { hashes: new Uint32Array(MAX_SUFFIXES * 2), starts: [], count: 0 }): SuffixHashes {
  let count = 0;
  for (let start = 0; start !== -1 && count < MAX_SUFFIXES; start = name.indexOf('.', start) + 1 || -1) {
    hashRange(name, start, name.length, into.hashes, count * 2);
    into.starts[count++] = start;
  }
  into.count = count;
  return into;
}

function fromSorted(words: Uint32Array, size: number): DomainSet {
  const contains = (lo: number, hi: number): boolean => {
    let low = 0;
    let high = size - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const midHi = words[mid * 2 + 1]!;
      const midLo = words[mid * 2]!;
      if (midHi < hi || (midHi === hi && midLo < lo)) low = mid + 1;
      else if (midHi === hi && midLo === lo) return true;
      else high = mid - 1;
    }
    return false;
  };
  const firstListed = (hashes: Uint32Array, count: number): number => {
    if (size === 0) return -1;
    for (let i = 0; i < count; i++) if (contains(hashes[i * 2]!, hashes[i * 2 + 1]!)) return i;
    return -1;
  };
  return {
    size,
    bytes: size * 8,
    firstListed,
    has(name) {
      const probe = new Uint32Array(2);
      hashRange(name, 0, name.length, probe, 0);
      return contains(probe[0]!, probe[1]!);
    },
    covering(name) {
      const probe = suffixHashes(name);
      const index = firstListed(probe.hashes, probe.count);
      return index === -1 ? undefined : name.slice(probe.starts[index]);
    },
  };
}

/** Adds newline-separated names chunk by chunk (as they come from Redis), then sorts once. */
export function createDomainSetBuilder() {
  let words = new Uint32Array(2 * 65_536);
  let size = 0;
  return {
    add(text: string): void {
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf('\n', start);
        if (end === -1) end = text.length;
        if (end > start) {
          if ((size + 1) * 2 > words.length) {
            const grown = new Uint32Array(words.length * 2);
            grown.set(words);
            words = grown;
          }
          hashRange(text, start, end, words, size * 2);
          size++;
        }
        start = end + 1;
      }
    },
    finish(): DomainSet {
      // Little-endian: word 2i is the low half and 2i+1 the high half of one 64-bit value.
      const values = new BigUint64Array(words.buffer, 0, size).sort();
      let unique = 0;
      for (let i = 0; i < size; i++) if (i === 0 || values[i] !== values[unique - 1]) values[unique++] = values[i]!;
      return fromSorted(new Uint32Array(words.buffer.slice(0, unique * 8)), unique);
    },
  };
}

export function buildDomainSet(names: Iterable<string>): DomainSet {
  const builder = createDomainSetBuilder();
  for (const name of names) builder.add(name);
  return builder.finish();
}
