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
}

export function createPolicyCache(policies: Pick<PolicyStore, 'view'>, feed: ChangeFeed, max = MAX_POLICIES): PolicyCache & { size(): number } {
  const cache = new Map<string, Promise<Policy>>();
  const clear = () => cache.clear();
  feed.on('change', (changes) => {
    if (changes.some((change) => change.entity === 'policy' || change.entity === 'role')) clear();
  });
  feed.on('resync', clear);
  return {
    effective(role, school) {
      const key = `${role}@${school ?? ''}`;
      let policy = cache.get(key);
      if (!policy) {
        policy = policies.view(role, school).then((view) => view.effective);
        policy.catch(() => cache.delete(key));
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(key, policy);
      }
      return policy;
    },
    size: () => cache.size,
  };
}
