// Names teachers granted (site requests), in memory: loaded at start and on every
// `content-granted` change; each entry's end is checked per query, so it lapses on time. A grant
// belongs to a scope: a device under a lesson focus sees only that focus's grants (another
// teacher's grant never lifts it); any other device sees the grants made to its user.
import type { Logger } from 'pino';
import type { GrantedNames, GrantScope, SiteRequestStore } from '../store/site-requests.js';

export interface GrantSubject {
  school?: string | undefined;
  user?: string | undefined;
}

export async function createGrantedBook({ store, now, log }: { store: Pick<SiteRequestStore, 'granted'>; now: () => number; log: Pick<Logger, 'warn'> }) {
  let granted: GrantedNames = await store.granted(now());
  return {
    reload: () => store.granted(now()).then((fresh) => void (granted = fresh)).catch((error: unknown) => log.warn({ err: error }, 'granted reload failed')),
    /** The names still granted to this device (a fresh set only when its scope has any). */
    of: (who: GrantSubject | undefined, focus: { id: string } | undefined): ReadonlySet<string> | undefined => {
      const scope: GrantScope | undefined = focus ? `focus:${focus.id}` : who?.user !== undefined ? `user:${who.user}` : undefined;
      const entries = who?.school === undefined || scope === undefined ? undefined : granted.get(who.school)?.get(scope);
      if (!entries) return undefined;
      const at = now();
      return new Set([...entries].filter(([, until]) => until > at).map(([domain]) => domain));
    },
  };
}

export type GrantedBook = Awaited<ReturnType<typeof createGrantedBook>>;
