// Change announcements: every store write publishes what it changed (write.ts); a running
// server listens here to refresh what it caches, so a CLI or console change reaches it at once.
import type { Redis } from 'ioredis';
import { subscribeChannel } from './channel.js';
import { keys } from './keys.js';
import type { Change } from './write.js';

export interface ChangeFeed {
  /** Called with the changes of one write; `resync` after a reconnect, when some may be missed. */
  on(event: 'change', listener: (changes: Change[]) => void): void;
  on(event: 'resync', listener: () => void): void;
  close(): Promise<void>;
}

export async function subscribeChanges(redis: Redis): Promise<ChangeFeed> {
  const channel = await subscribeChannel<Change[]>(redis, keys.changes);
  return {
    on(event: 'change' | 'resync', listener: ((changes: Change[]) => void) | (() => void)) {
      if (event === 'change') channel.on('message', listener);
      else channel.on('resync', listener as () => void);
    },
    async close() {
      channel.close();
      await Promise.resolve();
    },
  };
}
