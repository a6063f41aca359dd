// The running lesson focuses in memory, so a query costs no Redis read: loaded at start and again
// on every `focus` change announcement (and after a resync). The end time is checked per query,
// so a focus ends on time even before the sweep claims it; the sweep, on every instance, ends
// ran-out focuses in the store, and the store's claim lets exactly one log and audit each.
import type { Logger } from 'pino';
import { focusOf, type FocusRule, type FocusSubject } from '../policy/content.js';
import type { Focus, FocusStore } from '../store/focus.js';

const SWEEP_INTERVAL_MS = 2000;

export function compileFocus(focus: Focus): FocusRule {
  return { id: focus.id, lesson: focus.name, school: focus.school, until: focus.until, nas: new Set(focus.nas), users: new Set(focus.users), allowed: new Set(focus.allow) };
}

export interface FocusBookOptions {
  store: Pick<FocusStore, 'list' | 'end'>;
  now: () => number;
  log: Pick<Logger, 'info' | 'warn'>;
}

export async function createFocusBook({ store, now, log }: FocusBookOptions) {
  let running: FocusRule[] = [];
  let stored: Focus[] = [];
  let loading: Promise<void> | undefined;

  async function load(): Promise<void> {
    stored = await store.list();
    running = stored.map(compileFocus);
  }

  function reload(): Promise<void> {
    // One read at a time; a change during it asks again once it is done.
    loading = (loading ?? Promise.resolve()).then(load).catch((error: unknown) => log.warn({ err: error }, 'focus reload failed'));
    return loading;
  }

  async function sweep(): Promise<void> {
    const at = now();
    for (const focus of stored.filter((entry) => entry.until <= at)) {
      if (await store.end(focus, 'expire', 'system:focus-sweep')) {
        log.info({ focus: focus.id, school: focus.school, lesson: focus.name, until: new Date(focus.until).toISOString() }, 'focus expired');
      }
    }
  }

  await load();
  const timer = setInterval(() => void sweep().catch((error: unknown) => log.warn({ err: error }, 'focus sweep failed')), SWEEP_INTERVAL_MS).unref();

  return {
    /** The focus covering who asks, if one is running. */
    of: (subject: FocusSubject) => focusOf(subject, running, now()),
    reload,
    sweep,
    running: () => running.filter((focus) => focus.until > now()),
    stop: () => clearInterval(timer),
  };
}

export type FocusBook = Awaited<ReturnType<typeof createFocusBook>>;
