// Every category list in memory, loaded at start and reloaded (that category alone) when an
// import announces it, so the resolver decides without a Redis round trip.
import type { CategoryLookup } from '../policy/content.js';
import type { ChangeFeed } from './changes.js';
import type { ContentCategoryStore } from './content-categories.js';
import { suffixHashes, type DomainSet } from './content-domains.js';

export interface ContentLists {
  lookup: CategoryLookup;
  /** Names held per category. */
  sizes(): Record<string, number>;
  /** Bytes held by all lists. */
  bytes(): number;
}

export function createListLookup(sets: ReadonlyMap<string, DomainSet>): CategoryLookup {
  const probe = suffixHashes('');
  return (name, categories) => {
    let hashed = false;
    for (const category of categories) {
      const set = sets.get(category);
      if (!set || set.size === 0) continue;
      if (!hashed) {
        suffixHashes(name, probe);
        hashed = true;
      }
      const index = set.firstListed(probe.hashes, probe.count);
      if (index !== -1) return { category, domain: name.slice(probe.starts[index]) };
    }
    return undefined;
  };
}

export async function createContentLists(
  categories: Pick<ContentCategoryStore, 'list' | 'load'>,
  feed: ChangeFeed,
  failed: (error: unknown) => void,
): Promise<ContentLists> {
  const sets = new Map<string, DomainSet>();
  // Two imports in a row: only the reload started last may install its set.
  const latest = new Map<string, number>();
  let counter = 0;
  const reload = async (name: string) => {
    const mine = ++counter;
    latest.set(name, mine);
    const set = await categories.load(name);
    if (latest.get(name) !== mine) return;
    latest.delete(name);
    if (set.size === 0) sets.delete(name);
    else sets.set(name, set);
  };
  const reloadAll = async () => {
    const listed = await categories.list();
    for (const name of sets.keys()) if (!listed.some((entry) => entry.name === name)) sets.delete(name);
    for (const entry of listed) await reload(entry.name);
  };
  await reloadAll();
  feed.on('change', (changes) => {
    for (const change of changes) if (change.entity === 'content-category') reload(change.id).catch(failed);
  });
  feed.on('resync', () => void reloadAll().catch(failed));
  return {
    lookup: createListLookup(sets),
    sizes: () => Object.fromEntries([...sets].map(([name, set]) => [name, set.size])),
    bytes: () => [...sets.values()].reduce((sum, set) => sum + set.bytes, 0),
  };
}
