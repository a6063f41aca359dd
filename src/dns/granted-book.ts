// Domains teachers granted per school (site requests), in memory: loaded at start and on every
// `content-granted` change; each entry's end is checked per query, so it lapses on time.
import type { Logger } from 'pino';
import type { SiteRequestStore } from '../store/site-requests.js';

export async function createGrantedBook({ store, now, log }: { store: Pick<SiteRequestStore, 'granted'>; now: () => number; log: Pick<Logger, 'warn'> }) {
  let granted = await store.granted(now());
  return {
    reload: () => store.granted(now()).then((fresh) => void (granted = fresh)).catch((error: unknown) => log.warn({ err: error }, 'granted reload failed')),
    /** The domains still granted at `school` (a fresh set only when the school has any). */
    of: (school: string | undefined): ReadonlySet<string> | undefined => {
      const entries = school === undefined ? undefined : granted.get(school);
      if (!entries) return undefined;
      const at = now();
      return new Set([...entries].filter(([, until]) => until > at).map(([domain]) => domain));
    },
  };
}

export type GrantedBook = Awaited<ReturnType<typeof createGrantedBook>>;
