// Redis for the app: the connection (fail fast at boot, then reconnect forever, every command
// bounded in time), the store, the change feed and the NAS directory built on it.
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { connectRedis, type RedisTarget } from '../redis/connection.js';
import { subscribeChanges, type ChangeFeed } from '../store/changes.js';
import { createStore, type Store } from '../store/index.js';
import { startRetentionSweeper } from '../store/retention.js';
import { createNasDirectory, type NasDirectory } from '../store/nas-directory.js';
import { migrate, sessionSecret } from '../store/schema.js';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
    store: Store;
    /**
     * Management work (the API, the console): its own connection, without RADIUS's tight command
     * timeout, so a few thousand users imported at once do not time out; and a store over it.
     */
    redisManagement: Redis;
    managementStore: Store;
    changes: ChangeFeed;
    nasDirectory: NasDirectory;
    sessionSecret: string;
    /** True when Redis answers a PING within the command timeout (one PING at a time). */
    redisAnswers(): Promise<boolean>;
    /**
     * True when the writes sent so far on `redis` are held by REDIS_WAIT_REPLICAS replicas
     * (WAIT): a failover then cannot lose them. Always true with 0.
     */
    redisReplicated: () => Promise<boolean>;
  }
}

export interface RedisPluginOptions {
  target: RedisTarget;
  sessionSecret: string | undefined;
  /** Longest a command may take (REDIS_COMMAND_TIMEOUT_MS); below the NAS retransmission interval. */
  commandTimeoutMs: number;
  /** REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS. */
  wait?: { replicas: number; timeoutMs: number };
}

export default fp<RedisPluginOptions>(
  async (app, options) => {
    const redis = await connectRedis(options.target, {
      // While Redis is away, commands fail at once instead of queueing: a RADIUS request then
      // gets no answer and the access point fails over to its second server.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
      // A stalled Redis (blocked, paused, swapping) keeps the connection open: without a bound a
      // RADIUS answer would come after the access point gave up, and requests would pile up.
      commandTimeout: options.commandTimeoutMs,
    });
    redis.on('error', (error: Error) => {
      app.metrics.redisErrors.inc();
      app.log.warn({ err: error.message }, 'redis error');
    });
    app.decorate('redis', redis);
    let ping: Promise<boolean> | undefined;
    app.decorate('redisAnswers', () => {
      if (redis.status !== 'ready') return Promise.resolve(false);
      ping ??= redis.ping().then(() => true, () => false).finally(() => (ping = undefined));
      return ping;
    });
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
    const wait = options.wait ?? { replicas: 0, timeoutMs: 0 };
    // WAIT covers every earlier write of this connection, so one per record is enough.
    app.decorate('redisReplicated', async () => wait.replicas === 0 || (await redis.wait(wait.replicas, wait.timeoutMs)) >= wait.replicas);

    await migrate(redis);
    app.decorate('sessionSecret', await sessionSecret(redis, options.sessionSecret));
    const store = createStore(redis);
    app.decorate('store', store);
    const management = await connectRedis(options.target, { maxRetriesPerRequest: 1, retryStrategy: (attempt) => Math.min(attempt * 100, 2000) });
    management.on('error', (error: Error) => app.log.warn({ err: error.message }, 'redis (management) error'));
    app.addHook('onClose', async () => {
      await management.quit().catch(() => management.disconnect());
    });
    app.decorate('redisManagement', management);
    // Old stop records and audit entries removed hourly, by one instance (retention.ts).
    const stopRetention = startRetentionSweeper(management, app.log);
    app.addHook('onClose', async () => stopRetention());
    app.decorate('managementStore', createStore(management));

    const changes = await subscribeChanges(redis);
    app.decorate('changes', changes);
    app.addHook('onClose', () => changes.close());
    app.decorate('nasDirectory', await createNasDirectory(store.nas, changes, (error) => app.log.warn({ err: error }, 'NAS reload failed')));
  },
  { name: 'redis', dependencies: ['metrics'] },
);
