// The resolver's side of the per-school query log: which schools have it on (in memory, reloaded
// on `query-log` changes), entries buffered and written once a second in one pipeline (a query
// never waits for Redis), at most MAX_BUFFER waiting (past it, dropped and counted), trimmed by
// age once a minute. Names are written to the school's stream only, never to the log.
import type { Logger } from 'pino';
import type { ContentDecision } from '../policy/content.js';
import type { QueryLogRecord, QueryLogStore } from '../store/query-log.js';

const FLUSH_MS = 1000;
const TRIM_MS = 60_000;
const MAX_BUFFER = 20_000;

export const decisionText = (decision: ContentDecision) =>
  `${decision.action}:${decision.action === 'block' && decision.rule === 'category' ? `category ${decision.category}` : decision.rule}`;

export async function createQueryRecorder({ store, now, log }: { store: Pick<QueryLogStore, 'settings' | 'append' | 'trim'>; now: () => number; log: Pick<Logger, 'warn'> }) {
  let settings = await store.settings();
  let buffer: { school: string; at: number; record: QueryLogRecord }[] = [];
  let dropped = 0;
  const failed = (what: string) => (error: unknown) => log.warn({ err: error }, `query log ${what} failed`);

  const flush = async () => {
    const batch = buffer;
    buffer = [];
    await store.append(batch);
  };
  const flusher = setInterval(() => void flush().catch(failed('write')), FLUSH_MS).unref();
  const trimmer = setInterval(() => void store.trim(settings, now()).catch(failed('trim')), TRIM_MS).unref();

  return {
    record: (school: string | undefined, record: QueryLogRecord): void => {
      if (school === undefined || !settings.has(school)) return;
      if (buffer.length >= MAX_BUFFER) {
        dropped++;
        return;
      }
      buffer.push({ school, at: now(), record });
    },
    reload: () => store.settings().then((fresh) => void (settings = fresh)).catch(failed('settings reload')),
    flush,
    dropped: () => dropped,
    stop(): void {
      clearInterval(flusher);
      clearInterval(trimmer);
    },
  };
}

export type QueryRecorder = Awaited<ReturnType<typeof createQueryRecorder>>;
