// The pub/sub channel under the change feed and the session announcements: a malformed message
// is skipped (once it threw inside ioredis's event handler), and a reconnect says `resync`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeChannel } from '../../src/store/channel.js';
import { waitFor } from '../helpers/process.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;

beforeAll(async () => {
  server = await startTestRedis();
});

afterAll(async () => {
  await server.close();
});

describe('a JSON pub/sub channel', () => {
  it('skips a malformed message, delivers the next, and says resync after Redis comes back', async () => {
    const channel = await subscribeChannel<{ n: number }>(server.client(), 'mk:test-channel');
    const heard: number[] = [];
    let resyncs = 0;
    channel.on('message', (message) => heard.push(message.n));
    channel.on('resync', () => resyncs++);
    const publisher = server.client();
    await publisher.publish('mk:test-channel', '{not json');
    await publisher.publish('mk:test-channel', JSON.stringify({ n: 1 }));
    await waitFor(async () => (heard.length ? true : undefined), 2000, 'the message');
    expect(heard).toEqual([1]);
    await server.stop();
    await server.start();
    await waitFor(async () => (resyncs > 0 ? true : undefined), 10_000, 'the resync');
    await publisher.publish('mk:test-channel', JSON.stringify({ n: 2 }));
    await waitFor(async () => (heard.length > 1 ? true : undefined), 5000, 'a message after the reconnect');
    expect(heard).toEqual([1, 2]);
    channel.close();
  });
});
