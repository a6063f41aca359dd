// Effective policies held in memory by a running server (a handful of roles × schools), so an
// Access-Accept costs no policy read. Dropped whenever a policy or role changes anywhere. The
// role and school come from request data (a NAS's Class), so the cache is bounded: past
// MAX_POLICIES the oldest entry goes, and a flood of made-up Classes costs reads, not memory.
import type { Policy } from '../policy/fields.js';
import type { ChangeFeed } from './changes.js';
import type { PolicyStore } from './policies.js';

export const MAX_POLICIES = 1000;

export interface PolicyCache {
  effective(role: string, school?: string): Promise<Policy>;
  /** The policy when it is already in memory (no read pending), for answers that need no promise. */
  cached?(role: string, school?: string): Policy | undefined;
}

interface Entry {
  read: Promise<Policy>;
  /** Set once the read is done. */
  policy?: Policy;
}

export function createPolicyCache(policies: Pick<PolicyStore, 'view'>, feed: ChangeFeed, max = MAX_POLICIES): Required<PolicyCache> & { size(): number } {
  const cache = new Map<string, Entry>();
  const clear = () => cache.clear();
  feed.on('change', (changes) => {
    if (changes.some((change) => change.entity === 'policy' || change.entity === 'role')) clear();
  });
  feed.on('resync', clear);
  const keyOf = (role: string, school: string | undefined) => `${role}@${school ?? ''}`;
  return {
    effective(role, school) {
      const key = keyOf(role, school);
      let entry = cache.get(key);
      if (!entry) {
        // A read that ends after a change cleared the cache fills only its own, detached entry.
        const read = policies.view(role, school).then((view) => (created.policy = view.effective));
        const created: Entry = { read };
        read.catch(() => cache.get(key) === created && cache.delete(key));
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(key, (entry = created));
      }
      return entry.read;
    },
    cached: (role, school) => cache.get(keyOf(role, school))?.policy,
    size: () => cache.size,
  };
}
