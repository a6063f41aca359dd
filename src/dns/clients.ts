// Client address → the person on it (user, role, school), in memory. Filled from the session
// table at start and kept current by session announcements; an address it has not heard of
// is looked up once in Redis (sessions.byIp: a field of its block's any-NAS hash, then the session) and remembered
// briefly, found or not, so a query costs a Map lookup and a stream of queries from a stranger
// costs one read.
import type { Session } from '../store/sessions.js';
import type { SessionAnnouncement } from '../store/session-announcements.js';

export interface ClientEntry {
  user?: string;
  role?: string;
  school?: string;
  session?: string;
}

interface Held {
  entry: ClientEntry | undefined;
  /** Epoch ms after which a lookup refreshes it (announced entries: never). */
  until: number;
}

export interface ClientDirectoryOptions {
  byIp: (ip: string) => Promise<Session | undefined>;
  now: () => number;
  /** How long a looked-up address is trusted without an announcement. */
  foundTtlMs?: number;
  notFoundTtlMs?: number;
  /** Most addresses held; past it the looked-up ones are dropped first. */
  maxEntries?: number;
}

function entryOf(session: Pick<Session, 'user' | 'role' | 'school' | 'id'>): ClientEntry {
  const entry: ClientEntry = { session: session.id };
  for (const field of ['user', 'role', 'school'] as const) if (session[field]) entry[field] = session[field];
  return entry;
}

export function createClientDirectory(options: ClientDirectoryOptions) {
  const { byIp, now, foundTtlMs = 30_000, notFoundTtlMs = 5_000, maxEntries = 200_000 } = options;
  const held = new Map<string, Held>();
  const sessionIp = new Map<string, string>();
  const pending = new Map<string, Promise<ClientEntry | undefined>>();

  function remember(ip: string, entry: ClientEntry | undefined, until: number): void {
    if (held.size >= maxEntries && !held.has(ip)) {
      for (const [key, value] of held) if (value.until !== Infinity) held.delete(key);
      if (held.size >= maxEntries) held.clear();
    }
    held.set(ip, { entry, until });
  }

  function lookup(ip: string): Promise<ClientEntry | undefined> {
    let running = pending.get(ip);
    if (!running) {
      // Redis unreachable: the address counts as unknown (the guest profile still filters).
      running = byIp(ip)
        .catch(() => undefined)
        .then((session) => {
          const entry = session ? entryOf(session) : undefined;
          const current = held.get(ip);
          // An announcement that arrived meanwhile is newer than this read.
          if (current?.until !== Infinity) remember(ip, entry, now() + (entry ? foundTtlMs : notFoundTtlMs));
          return held.get(ip)?.entry;
        })
        .finally(() => pending.delete(ip));
      pending.set(ip, running);
    }
    return running;
  }

  return {
    /** The person on `ip`, from memory when known and fresh, else after one lookup. */
    who(ip: string): ClientEntry | undefined | Promise<ClientEntry | undefined> {
      const current = held.get(ip);
      if (current && current.until > now()) return current.entry;
      // A stale entry answers now; the lookup refreshes it for the next query.
      if (current) {
        lookup(ip).catch(() => undefined);
        return current.entry;
      }
      return lookup(ip);
    },

    load(sessions: Session[]): void {
      for (const session of sessions) {
        if (!session.ip) continue;
        remember(session.ip, entryOf(session), Infinity);
        sessionIp.set(session.id, session.ip);
      }
    },

    apply(announcement: SessionAnnouncement): void {
      const previousIp = sessionIp.get(announcement.session);
      if (announcement.state === 'stop') {
        const ip = announcement.ip ?? previousIp;
        if (ip && held.get(ip)?.entry?.session === announcement.session) held.delete(ip);
        sessionIp.delete(announcement.session);
        return;
      }
      if (!announcement.ip) return;
      if (previousIp && previousIp !== announcement.ip && held.get(previousIp)?.entry?.session === announcement.session) held.delete(previousIp);
      remember(announcement.ip, entryOf({ ...announcement, id: announcement.session }), Infinity);
      sessionIp.set(announcement.session, announcement.ip);
      if (sessionIp.size > maxEntries) sessionIp.clear();
    },

    clear(): void {
      held.clear();
      sessionIp.clear();
    },

    size: () => held.size,
  };
}

export type ClientDirectory = ReturnType<typeof createClientDirectory>;
