// Entry point of `npm start`: configuration → Redis (embedded unless REDIS_URL) → app → listen.
// SIGINT/SIGTERM close the app, then stop the embedded Redis, so nothing is left behind.
import { buildApp } from './app.js';
import { loadConfig } from './config/env.js';
import { isCodedError, listenError } from './errors.js';
import { createLogger } from './logger.js';
import { openRedis, type RedisHandle } from './redis/connection.js';

function fail(error: unknown): never {
  console.error(`mektep: ${isCodedError(error) ? error.message : String((error as Error).stack ?? error)}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const redis: RedisHandle = await openRedis(config.redisUrl, config.dataDir, 'server');
  logger.info({ redis: redis.target.label }, 'redis');

  let app;
  try {
    app = await buildApp({ config, logger, redis: redis.target });
    await app.listen({ host: config.http.host, port: config.http.port }).catch((error: unknown) => {
      throw listenError(error, `HTTP port ${config.http.port} on ${config.http.host}`);
    });
  } catch (error) {
    await app?.close();
    await redis.close();
    throw error;
  }
  logger.info({ publicUrl: config.publicUrl }, 'mektep ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.close();
    await redis.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch(fail);
