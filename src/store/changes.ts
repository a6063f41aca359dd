// Change announcements: every store write publishes what it changed (write.ts); a running
// server listens here to refresh what it caches, so a CLI or console change reaches it at once.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import type { Change } from './write.js';

export interface ChangeFeed {
  /** Called with the changes of one write; `resync` after a reconnect, when some may be missed. */
  on(event: 'change', listener: (changes: Change[]) => void): void;
  on(event: 'resync', listener: () => void): void;
  close(): Promise<void>;
}

export async function subscribeChanges(redis: Redis): Promise<ChangeFeed> {
  // Its own connection (a subscribed one can do nothing else), queueing while it reconnects.
  const subscriber = redis.duplicate({ enableOfflineQueue: true });
  const events = new EventEmitter();
  let connectedOnce = false;
  subscriber.on('error', () => undefined);
  subscriber.on('ready', () => {
    if (connectedOnce) events.emit('resync');
    connectedOnce = true;
  });
  subscriber.on('message', (_channel: string, message: string) => {
    events.emit('change', JSON.parse(message) as Change[]);
  });
  await subscriber.subscribe(keys.changes);
  return {
    on(event: 'change' | 'resync', listener: ((changes: Change[]) => void) | (() => void)) {
      events.on(event, listener);
    },
    async close() {
      subscriber.disconnect();
      events.removeAllListeners();
      await Promise.resolve();
    },
  };
}
