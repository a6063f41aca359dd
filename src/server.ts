// Entry point of `npm start`: configuration → Redis (embedded unless REDIS_URL) → app → listen,
// then a few plain lines saying where things are and what to do next.
// SIGINT/SIGTERM (from the start) close the app, then stop the embedded Redis, so nothing is
// left behind, and write the log out before exiting.
// WORKERS > 1: a primary process and a worker per core (cluster.ts); each worker runs main().
// The app is imported only where it runs: the primary, which serves nothing, stays small.
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { printsBanner, runPrimary } from './cluster.js';
import { loadConfig, type Config } from './config/env.js';
import { isCodedError, listenError } from './errors.js';
import { createLogger, drainLogs } from './logger.js';
import { openRedis, type RedisHandle } from './redis/connection.js';

/** PUBLIC_URL pointing at the server itself: snippets and redirects would send devices to themselves. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1';
}

/** What `npm start` prints once ready, for a person rather than a log collector. */
async function readyBanner(app: FastifyInstance, config: Config, redisLabel: string): Promise<string> {
  const [accounts, schools, nas] = await Promise.all([app.store.accounts.list(), app.store.schools.list(), app.store.nas.list()]);
  const radiusHost = config.radius.host;
  const lines = [
    'Mektep is ready.',
    `  Captive portal: ${config.publicUrl}/`,
    `  Console:        ${config.publicUrl}/console`,
    `  RADIUS:         UDP ${radiusHost} port ${app.radius.auth.port()} (authentication), ${app.radius.acct.port()} (accounting)`,
    `  Redis:          ${redisLabel}`,
  ];
  const next = [
    ...(accounts.length === 0 ? ['create the first admin:      npx mektep admin create <username> --role region-admin'] : []),
    ...(schools.length === 0 ? ['add a school:                npx mektep school add <id> --name "<name>" --timezone Asia/Almaty'] : []),
    ...(nas.length === 0 ? ['add the first access point:  npx mektep nas add <ip-or-cidr> --vendor mikrotik --school <id>   (prints a generated secret once)'] : []),
  ];
  if (next.length > 0) lines.push('Next, in another terminal:', ...next.map((step, index) => `  ${index + 1}. ${step}`));
  if (isLoopbackUrl(config.publicUrl)) {
    lines.push(`Warning: PUBLIC_URL is ${config.publicUrl}. Access points and phones would be sent to themselves; set PUBLIC_URL to the address devices reach this server at (e.g. http://10.0.0.5:${config.http.port}).`);
  }
  return `${lines.join('\n')}\n`;
}

function fail(error: unknown): never {
  console.error(`mektep: ${isCodedError(error) ? error.message : String((error as Error).stack ?? error)}`);
  process.exit(1);
}

/** Closes what start-up has opened so far; a stop runs the last one set. */
export type Closer = (signal: string) => Promise<void>;

export interface StopOnSignals {
  /** After a start-up step, with what is then open: true when a stop came meanwhile (it now runs; go no further). */
  step(close: Closer): boolean;
  /** Start-up done: a signal stops at once from now on. */
  running(close: Closer): void;
}

/**
 * SIGINT/SIGTERM, listened for from the first line: a stop closes what is open, writes the log
 * out (drainLogs, a full pipe included) and exits. One that comes during start-up takes effect
 * when the step in progress ends (the embedded Redis it is starting is then stopped too).
 */
function stopOnSignals(): StopOnSignals {
  let signal: string | undefined;
  let close: Closer | undefined;
  let started = false;
  let stopping = false;
  const stop = async () => {
    if (stopping || signal === undefined || close === undefined) return;
    stopping = true;
    await close(signal);
    await drainLogs();
    process.exit(0);
  };
  const onSignal = (received: string) => {
    signal ??= received;
    if (started) void stop();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return {
    step(closer) {
      close = closer;
      void stop();
      return signal !== undefined;
    },
    running(closer) {
      close = closer;
      started = true;
      void stop();
    },
  };
}

async function main(): Promise<void> {
  const stops = stopOnSignals();
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger, stops);
  const { buildApp } = await import('./app.js');
  const redis: RedisHandle = await openRedis(config.redisUrl, config.dataDir, 'server', { appendfsync: config.redisAppendFsync });
  logger.info({ redis: redis.target.label }, 'redis');
  if (stops.step(async (signal) => {
    logger.info({ signal }, 'stopping');
    await redis.close();
  })) return;

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
  const running = app;
  stops.running(async (signal) => {
    logger.info({ signal }, 'stopping');
    await running.close();
    await redis.close();
  });
  logger.info({ publicUrl: config.publicUrl }, 'mektep ready');
  if (printsBanner()) {
    const banner = await readyBanner(app, config, redis.target.label);
    // The log's held lines first ("mektep ready" among them): the banner follows them on the terminal.
    await drainLogs();
    process.stdout.write(banner);
  }
}

main().catch(fail);
