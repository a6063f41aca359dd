// Per-client token buckets. Generous: a whole school behind one NAT address (700 devices,
// each a few names a second when pages load) must never notice it; a client flooding the
// resolver is dropped, not answered (answering would feed a reflection attack).

export interface RateLimitOptions {
  perSecond?: number;
  burst?: number;
  now: () => number;
  /** Most clients tracked; past it the table restarts (full buckets for everyone). */
  maxClients?: number;
}

export function createRateLimiter({ perSecond = 2000, burst = 4000, now, maxClients = 100_000 }: RateLimitOptions) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    /** Takes one token for `client`; false when its bucket is empty. */
    allow(client: string): boolean {
      const at = now();
      let bucket = buckets.get(client);
      if (!bucket) {
        if (buckets.size >= maxClients) buckets.clear();
        bucket = { tokens: burst, at };
        buckets.set(client, bucket);
      } else {
        bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * perSecond);
        bucket.at = at;
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    /** Forgets clients whose bucket has refilled (called now and then). */
    sweep(): void {
      const at = now();
      for (const [client, bucket] of buckets) if (bucket.tokens + ((at - bucket.at) / 1000) * perSecond >= burst) buckets.delete(client);
    },
  };
}
