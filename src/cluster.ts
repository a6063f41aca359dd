// WORKERS > 1: one primary process and WORKERS workers sharing the sockets (node:cluster).
// The primary starts the embedded Redis once (it holds DATA_DIR) and hands its socket to the
// workers as REDIS_URL; it serves nothing itself. Each worker is a whole Mektep: its own
// in-memory directories kept current by the change feed, its sweepers taking the Redis locks
// as separate instances do. The RADIUS sockets are created by the primary and shared: the
// kernel gives each datagram to one waiting worker. HTTP connections are accepted by the
// workers themselves (SCHED_NONE), not passed over IPC by the primary. The DNS filter (if on)
// runs in the first worker only: its sockets are bound exclusively.
// SIGTERM/SIGINT stop the workers, then the embedded Redis; a worker that dies is replaced.
// /metrics is the cluster's: the worker that got the request asks the primary, which collects
// every worker's registry over IPC and sums it (prom-client's aggregators), see sumWorkersMetrics.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Config } from './config/env.js';
import { openRedis } from './redis/connection.js';
import type { StopOnSignals } from './server.js';

/** A worker that dies sooner than this after its start is replaced only after a pause. */
const RESTART_PAUSE_MS = 1000;
/** How long stopping workers get before they are killed. */
const STOP_GRACE_MS = 10_000;
/** How long the primary waits for each worker's metrics; one that is slower is left out and counted. */
export const WORKER_METRICS_WAIT_MS = 1000;

// The /metrics conversation over the cluster's IPC channel: a worker asks the primary for the
// cluster's figures (ASK), the primary asks every worker for its own (COLLECT, answered by OWN
// with the registry as JSON) and answers the asking worker with the sum as text (SUM).
const METRICS_ASK = 'mektep:metrics-ask';
const METRICS_COLLECT = 'mektep:metrics-collect';
const METRICS_OWN = 'mektep:metrics-own';
const METRICS_SUM = 'mektep:metrics-sum';

type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

interface MetricsMessage {
  type: string;
  id: number;
  metrics?: RegistryJson;
  text?: string;
}

const isMetricsMessage = (message: unknown): message is MetricsMessage =>
  typeof message === 'object' && message !== null && typeof (message as MetricsMessage).type === 'string' && typeof (message as MetricsMessage).id === 'number';

/** A process going away while metrics are asked for: its part is missing and counted, not an 'error' event. */
const ignoreClosedChannel = (): void => undefined;

/** Which workers' metrics an answer holds: the sum is only as whole as this says. */
function workersMetric(answered: number, unanswered: number): object[] {
  return [{
    name: 'mektep_metrics_workers', help: `Workers whose metrics are summed here (answered), and those that did not answer within ${WORKER_METRICS_WAIT_MS} ms`,
    type: 'gauge', aggregator: 'sum',
    values: [{ labels: { state: 'answered' }, value: answered }, { labels: { state: 'unanswered' }, value: unanswered }],
  }];
}

/**
 * The primary's side: collects every live worker's registry and sums it, counters and histograms
 * by label set, the process and Node.js figures as prom-client aggregates them (docs/radius.md).
 */
function sumWorkersMetrics(logger: Logger): void {
  let next = 0;
  const waiting = new Map<number, (metrics: RegistryJson) => void>();

  async function collect(): Promise<string> {
    const id = next++;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker?.isConnected() === true);
    const answers: RegistryJson[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WORKER_METRICS_WAIT_MS);
      waiting.set(id, (metrics) => {
        answers.push(metrics);
        if (answers.length < workers.length) return;
        clearTimeout(timer);
        resolve();
      });
      for (const worker of workers) worker.send({ type: METRICS_COLLECT, id }, ignoreClosedChannel);
      if (workers.length === 0) resolve();
    });
    waiting.delete(id);
    const unanswered = workers.length - answers.length;
    if (unanswered > 0) logger.warn({ answered: answers.length, unanswered }, 'metrics: a worker did not answer in time; summed without it');
    return AggregatorRegistry.aggregate([...answers, workersMetric(answers.length, unanswered)]).metrics();
  }

  cluster.on('message', (worker, message: unknown) => {
    if (!isMetricsMessage(message)) return;
    if (message.type === METRICS_OWN && message.metrics) waiting.get(message.id)?.(message.metrics);
    if (message.type !== METRICS_ASK) return;
    collect().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_SUM, id: message.id, text }, ignoreClosedChannel),
      (error: unknown) => logger.error({ err: error }, 'metrics: summing the workers failed'),
    );
  });
}

/**
 * A worker's side, one IPC listener for both directions: answers the primary's COLLECT with
 * `registry`, and `ask()` gets the cluster's sum (undefined when the primary did not answer:
 * it waits WORKER_METRICS_WAIT_MS at most, so one that takes twice that is stuck).
 */
export function metricsOverIpc(registry: Registry) {
  let next = 0;
  const asking = new Map<number, (text: string | undefined) => void>();
  const listener = (message: unknown) => {
    if (!isMetricsMessage(message)) return;
    if (message.type === METRICS_SUM) asking.get(message.id)?.(message.text);
    if (message.type !== METRICS_COLLECT) return;
    void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: METRICS_OWN, id: message.id, metrics }, undefined, undefined, ignoreClosedChannel));
  };
  process.on('message', listener);
  return {
    ask(): Promise<string | undefined> {
      const id = next++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => asking.get(id)?.(undefined), 2 * WORKER_METRICS_WAIT_MS);
        asking.set(id, (text) => {
          clearTimeout(timer);
          asking.delete(id);
          resolve(text);
        });
        process.send?.({ type: METRICS_ASK, id }, undefined, undefined, ignoreClosedChannel);
      });
    },
    close(): void {
      process.off('message', listener);
      for (const answer of asking.values()) answer(undefined);
    },
  };
}

/** The environment of worker `index` (0-based): Redis as the primary resolved it; DNS in the first alone. */
export function workerEnv(index: number, redisUrl: string | undefined): Record<string, string> {
  return { ...(redisUrl ? { REDIS_URL: redisUrl } : {}), ...(index > 0 ? { DNS_PORT: '' } : {}) };
}

/** `stops` (server.ts): what a SIGINT/SIGTERM closes, set as start-up opens it. */
export async function runPrimary(config: Config, logger: Logger, stops: StopOnSignals): Promise<void> {
  const redis = await openRedis(config.redisUrl, config.dataDir, 'server', { appendfsync: config.redisAppendFsync });
  if (stops.step(async (signal) => {
    logger.info({ signal }, 'stopping');
    await redis.close();
  })) return;
  const socketPath = redis.embedded ? redis.target.options.path : undefined;
  const redisUrl = config.redisUrl ?? (socketPath ? `unix://${socketPath}` : undefined);
  logger.info({ redis: redis.target.label, workers: config.workers }, 'redis; starting workers');
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  sumWorkersMetrics(logger);

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

  stops.running(async (signal) => {
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
  });
}

/** The banner is printed once: by the only process, or by the first worker forked. */
export function printsBanner(): boolean {
  return !cluster.isWorker || cluster.worker?.id === 1;
}
