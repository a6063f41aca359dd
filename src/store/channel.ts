// One Redis pub/sub channel of JSON messages, on its own connection (a subscribed connection can
// do nothing else), queueing while it reconnects. Pub/sub keeps nothing: after a reconnect,
// `resync` tells listeners that messages may have been missed.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

export interface Channel<T> {
  on(event: 'message', listener: (message: T) => void): void;
  on(event: 'resync', listener: () => void): void;
  close(): void;
}

export async function subscribeChannel<T>(redis: Redis, channel: string): Promise<Channel<T>> {
  const subscriber = redis.duplicate({ enableOfflineQueue: true });
  const events = new EventEmitter();
  let connectedOnce = false;
  subscriber.on('error', () => undefined);
  subscriber.on('ready', () => {
    if (connectedOnce) events.emit('resync');
    connectedOnce = true;
  });
  subscriber.on('message', (_channel: string, message: string) => {
    let parsed: T;
    try {
      parsed = JSON.parse(message) as T;
    } catch {
      // Not ours to crash on: a malformed message is ignored.
      return;
    }
    events.emit('message', parsed);
  });
  await subscriber.subscribe(channel);
  return {
    on(event: 'message' | 'resync', listener: ((message: T) => void) | (() => void)) {
      events.on(event, listener);
    },
    close() {
      subscriber.disconnect();
      events.removeAllListeners();
    },
  };
}
