// Session announcements: accounting says on a pub/sub channel which address a session holds
// (Start, an Interim-Update with an address, Stop), so the DNS filter can keep its
// address → person map in memory, current within a message, with no Redis read per query.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import { sessionKeyId, type AccountingRecord } from './sessions.js';

export interface SessionAnnouncement {
  /** "<nas>|<Acct-Session-Id>", as in the session table. */
  session: string;
  state: 'start' | 'stop';
  ip?: string;
  user?: string;
  role?: string;
  school?: string;
}

/** What one accounting record announces, if anything (a record without an address says nothing new). */
export function announcementOf(record: Pick<AccountingRecord, 'nas' | 'sessionId' | 'status' | 'ip' | 'user' | 'role' | 'school'>): SessionAnnouncement | undefined {
  const session = sessionKeyId(record.nas, record.sessionId);
  if (record.status === 'stop') return { session, state: 'stop', ...(record.ip ? { ip: record.ip } : {}) };
  if (!record.ip) return undefined;
  const announcement: SessionAnnouncement = { session, state: 'start', ip: record.ip };
  for (const field of ['user', 'role', 'school'] as const) if (record[field]) announcement[field] = record[field];
  return announcement;
}

/** For the accounting handler: `await announce(record)` after the record is stored. */
export function createSessionAnnouncer(redis: Redis) {
  return async (record: Parameters<typeof announcementOf>[0]): Promise<void> => {
    const announcement = announcementOf(record);
    if (announcement) await redis.publish(keys.sessionAnnouncements, JSON.stringify(announcement));
  };
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
