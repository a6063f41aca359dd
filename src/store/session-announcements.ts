// Session announcements: the session table's scripts (session-scripts.ts) say on a pub/sub
// channel which address a session holds — on Start, on a move to another address or login, and
// when it ends (Stop, Accounting-On) — so the DNS filter keeps its address → person map in
// memory, current within a message, with no Redis read per query.
import type { Redis } from 'ioredis';
import { subscribeChannel } from './channel.js';
import { keys } from './keys.js';

export interface SessionAnnouncement {
  /** The session's id in the session table (sessionKeyId). */
  session: string;
  state: 'start' | 'stop';
  ip?: string;
  user?: string;
  role?: string;
  school?: string;
}

export interface SessionAnnouncements {
  on(event: 'session', listener: (announcement: SessionAnnouncement) => void): void;
  /** After a reconnect: some announcements may have been missed. */
  on(event: 'resync', listener: () => void): void;
  close(): void;
}

export async function subscribeSessionAnnouncements(redis: Redis): Promise<SessionAnnouncements> {
  const channel = await subscribeChannel<SessionAnnouncement>(redis, keys.sessionAnnouncements);
  return {
    on(event: 'session' | 'resync', listener: ((announcement: SessionAnnouncement) => void) | (() => void)) {
      if (event === 'session') channel.on('message', listener);
      else channel.on('resync', listener as () => void);
    },
    close: () => channel.close(),
  };
}
