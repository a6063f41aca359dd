// Upstream answers, shared by every client (the filter decides before the cache is asked).
// TTLs are honoured and capped, so a changed profile or a finished lesson reaches clients
// within the cap; negative answers are kept per RFC 2308 §5 (the SOA minimum), capped too.
// Identical questions in flight share one upstream query.
import { rcodeOf, RCODE, type Answer, type Packet, type Question } from './codec.js';

export interface CachedAnswer {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
}

interface Entry extends CachedAnswer {
  storedAt: number;
  expiresAt: number;
}

export interface AnswerCacheOptions {
  resolve: (question: Question) => Promise<Packet>;
  now: () => number;
  maxTtlSeconds?: number;
  maxEntries?: number;
}

const keyOf = (question: Question) => `${question.name.toLowerCase()}|${question.type}|${question.class ?? 'IN'}`;

function ttlOf(packet: Packet, maxTtl: number): number {
  const records = (packet.answers ?? []).length > 0 ? packet.answers! : (packet.authorities ?? []).filter((record) => record.type === 'SOA');
  let ttl = maxTtl;
  for (const record of records) {
    const own = record.type === 'SOA' && (packet.answers ?? []).length === 0 ? Math.min(record.ttl ?? 0, record.data.minimum ?? 0) : 'ttl' in record ? record.ttl ?? 0 : 0;
    ttl = Math.min(ttl, own);
  }
  return records.length === 0 ? 0 : ttl;
}

export function createAnswerCache({ resolve, now, maxTtlSeconds = 60, maxEntries = 50_000 }: AnswerCacheOptions) {
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<CachedAnswer>>();
  let hits = 0;
  let misses = 0;

  function fresh(entry: Entry, at: number): CachedAnswer {
    const elapsed = Math.floor((at - entry.storedAt) / 1000);
    const age = (records: Answer[]): Answer[] => records.map((record) => ('ttl' in record ? { ...record, ttl: Math.max(0, Math.min(record.ttl ?? 0, maxTtlSeconds) - elapsed) } : record));
    return { rcode: entry.rcode, answers: age(entry.answers), authorities: age(entry.authorities) };
  }

  async function fetch(key: string, question: Question): Promise<CachedAnswer> {
    const packet = await resolve(question);
    const answer: CachedAnswer = {
      rcode: rcodeOf(packet),
      answers: packet.answers ?? [],
      authorities: packet.authorities ?? [],
    };
    // SERVFAIL and the like are the upstream's trouble of the moment: not kept.
    const cacheable = answer.rcode === RCODE.NOERROR || answer.rcode === RCODE.NXDOMAIN;
    const ttl = cacheable ? ttlOf(packet, maxTtlSeconds) : 0;
    const at = now();
    const entry = { ...answer, storedAt: at, expiresAt: at + ttl * 1000 };
    if (ttl > 0) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, entry);
    }
    return fresh(entry, at);
  }

  return {
    /** A hit answers at once; a miss once the upstream has. */
    lookup(question: Question): CachedAnswer | Promise<CachedAnswer> {
      const key = keyOf(question);
      const at = now();
      const entry = entries.get(key);
      if (entry && entry.expiresAt > at) {
        hits++;
        return fresh(entry, at);
      }
      if (entry) entries.delete(key);
      misses++;
      let running = inFlight.get(key);
      if (!running) {
        running = fetch(key, question).finally(() => inFlight.delete(key));
        inFlight.set(key, running);
      }
      return running;
    },
    clear: () => entries.clear(),
    stats: () => ({ entries: entries.size, hits, misses }),
  };
}

export type AnswerCache = ReturnType<typeof createAnswerCache>;
