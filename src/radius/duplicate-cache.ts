// The RFC 5080 §2.2.2 duplicate cache: a request is the same one again when it comes from the
// same source address and port with the same code, Identifier and Request Authenticator. Kept by
// source address and then by port, code and Identifier packed into one number, so a lookup per
// datagram builds no key text. Bounded: past `max` entries the oldest of the oldest address goes;
// entries past their time are swept by the transport every second.

export interface CacheEntry {
  /**
   * The request's authenticator as four 32-bit words: compared without a copy of it kept per
   * entry, and without keeping the request's datagram alive for the window.
   */
  words: [number, number, number, number];
  /** The reply once sent; until then a retransmission is dropped as in progress. */
  reply?: Buffer;
  expires: number;
}

export function entryFor(authenticator: Buffer, expires: number): CacheEntry {
  return { words: [authenticator.readInt32BE(0), authenticator.readInt32BE(4), authenticator.readInt32BE(8), authenticator.readInt32BE(12)], expires };
}

/** Whether `authenticator` is the one the entry was made for (RFC 5080 §2.2.2: then it is a retransmission). */
export function sameAuthenticator(entry: CacheEntry, authenticator: Buffer): boolean {
  const { words } = entry;
  return words[0] === authenticator.readInt32BE(0) && words[1] === authenticator.readInt32BE(4) && words[2] === authenticator.readInt32BE(8) && words[3] === authenticator.readInt32BE(12);
}

/** Port (16 bits), code (8) and Identifier (8) as one integer below 2^32. */
export function slotOf(port: number, code: number, identifier: number): number {
  return port * 65_536 + code * 256 + identifier;
}

export function createDuplicateCache(max: number) {
  const byAddress = new Map<string, Map<number, CacheEntry>>();
  let size = 0;

  function remove(address: string, slots: Map<number, CacheEntry>, slot: number): void {
    if (!slots.delete(slot)) return;
    size--;
    if (slots.size === 0) byAddress.delete(address);
  }

  return {
    get(address: string, slot: number): CacheEntry | undefined {
      return byAddress.get(address)?.get(slot);
    },
    set(address: string, slot: number, entry: CacheEntry): void {
      let slots = byAddress.get(address);
      if (!slots?.has(slot) && size >= max) {
        const [oldestAddress, oldest] = byAddress.entries().next().value as [string, Map<number, CacheEntry>];
        remove(oldestAddress, oldest, oldest.keys().next().value as number);
        slots = byAddress.get(address);
      }
      if (!slots) byAddress.set(address, (slots = new Map<number, CacheEntry>()));
      if (!slots.has(slot)) size++;
      slots.set(slot, entry);
    },
    /** Forgets `entry`: only while it is the slot's (a newer request in the slot keeps its own). */
    delete(address: string, slot: number, entry: CacheEntry): void {
      const slots = byAddress.get(address);
      if (slots?.get(slot) === entry) remove(address, slots, slot);
    },
    /** Forgets the entries that expired before `now`. */
    sweep(now: number): void {
      for (const [address, slots] of byAddress) {
        for (const [slot, entry] of slots) if (entry.expires < now) remove(address, slots, slot);
      }
    },
    size: () => size,
  };
}

export type DuplicateCache = ReturnType<typeof createDuplicateCache>;
