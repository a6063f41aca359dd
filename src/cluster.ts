// WORKERS > 1: one primary process and a worker per core, sharing the sockets (node:cluster).
// The primary starts the embedded Redis once (it holds DATA_DIR) and hands its socket to the
// workers as REDIS_URL; it serves nothing itself. Each worker is a whole Mektep: its own
// in-memory directories kept current by the change feed, its sweepers taking the Redis locks
// as separate instances do. The RADIUS sockets are created by the primary and shared: the
// kernel gives each datagram to one waiting worker. HTTP connections are accepted by the
// workers themselves (SCHED_NONE), not passed over IPC by the primary. The DNS filter (if on)
// runs in the first worker only: its sockets are bound exclusively.
// SIGTERM/SIGINT stop the workers, then the embedded Redis; a worker that dies is replaced.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import { openRedis } from './redis/connection.js';

/** A worker that dies sooner than this after its start is replaced only after a pause. */
const RESTART_PAUSE_MS = 1000;
/** How long stopping workers get before they are killed. */
const STOP_GRACE_MS = 10_000;

/** The environment of worker `index` (0-based): Redis as the primary resolved it; DNS in the first alone. */
export function workerEnv(index: number, redisUrl: string | undefined): Record<string, string> {
  return { ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...(index > 0 ? { DNS_PORT: '' } : {}) };
}

export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const redis = await openRedis(config.redisUrl, config.dataDir, 'server', { appendfsync: config.redisAppendFsync });
  const socketPath = redis.embedded ? redis.target.options.path : undefined;
  const redisUrl = config.redisUrl ?? (socketPath ? `unix://${socketPath}` : undefined);
  logger.info({ redis: redis.target.label, workers: config.workers }, 'redis; starting workers');
  cluster.schedulingPolicy = cluster.SCHED_NONE;

  let stopping = false;
  const slots = new Map<Worker, number>();
  const start = (index: number) => {
    const worker = cluster.fork(workerEnv(index, redisUrl));
    const startedAt = Date.now();
    slots.set(worker, index);
    worker.on('exit', (code, signal) => {
      slots.delete(worker);
      if (stopping) return;
      logger.error({ worker: index, pid: worker.process.pid, code, signal }, 'worker died; starting another');
      setTimeout(() => !stopping && start(index), Date.now() - startedAt < RESTART_PAUSE_MS ? RESTART_PAUSE_MS : 0);
    });
  };
  for (let index = 0; index < config.workers; index++) start(index);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const exited = [...slots.keys()].map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      worker.process.kill('SIGTERM');
    }));
    const killer = setTimeout(() => {
      for (const worker of slots.keys()) worker.process.kill('SIGKILL');
    }, STOP_GRACE_MS);
    await Promise.all(exited);
    clearTimeout(killer);
    await redis.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** The banner is printed once: by the only process, or by the first worker forked. */
export function printsBanner(): boolean {
  return !cluster.isWorker || cluster.worker?.id === 1;
}
