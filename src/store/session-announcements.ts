// Session announcements: the session table's scripts (session-scripts.ts) say on a pub/sub
// channel which address a session holds — on Start, on a move to another address or login, and
// when it ends (Stop, Accounting-On) — so the DNS filter keeps its address → person map in
// memory, current within a message, with no Redis read per query.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
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
  const subscriber = redis.duplicate({ enableOfflineQueue: true });
  const events = new EventEmitter();
  let connectedOnce = false;
  subscriber.on('error', () => undefined);
  subscriber.on('ready', () => {
    if (connectedOnce) events.emit('resync');
    connectedOnce = true;
  });
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      events.emit('session', JSON.parse(message) as SessionAnnouncement);
    } catch {
      // Not ours to crash on: a malformed message is ignored.
    }
  });
  await subscriber.subscribe(keys.sessionAnnouncements);
  return {
    on(event: 'session' | 'resync', listener: ((announcement: SessionAnnouncement) => void) | (() => void)) {
      events.on(event, listener);
    },
    close() {
      subscriber.disconnect();
      events.removeAllListeners();
    },
  };
}
