// A real Sentinel deployment on loopback for a test file: one master, one replica and three
// redis-sentinel processes, each in a temporary folder, on free ports; stopped by close().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { waitFor } from './process.js';

export const MASTER_NAME = 'mektep';

export interface TestSentinels {
  url: string;
  /** The Redis node Sentinel names as the master now. */
  master(): Promise<{ port: number; pid: number }>;
  /** A client on one data node, by port. */
  node(port: number): Redis;
  ports: { master: number; replicas: number[]; sentinels: number[] };
  /** Starts a data node again on its port and files (as a supervisor would after a crash). */
  restart(port: number): void;
  /** Waits until Sentinel names another master than `port`, and it accepts writes. */
  failedOverFrom(port: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startSentinels(options: { downAfterMs?: number; replicas?: number } = {}): Promise<TestSentinels> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-sentinel-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const master = await freePort();
  const replicas: number[] = [];
  for (let count = 0; count < (options.replicas ?? 1); count++) replicas.push(await freePort());
  const sentinels = [await freePort(), await freePort(), await freePort()];

  const node = (port: number): Redis => {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };
  const started = new Map<number, string[]>();
  const dataNode = (port: number, extra: string[]) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `${port}.rdb`, '--appendonly', 'yes',
      '--appenddirname', `aof-${port}`, '--appendfsync', 'everysec', '--save', '', '--logfile', join(dir, `redis-${port}.log`), ...extra];
    started.set(port, args);
    children.push(spawn('redis-server', args, { stdio: 'ignore' }));
  };
  dataNode(master, []);
  for (const replica of replicas) dataNode(replica, ['--replicaof', '127.0.0.1', String(master)]);
  for (const port of sentinels) {
    const config = join(dir, `sentinel-${port}.conf`);
    writeFileSync(config, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${join(dir, `sentinel-${port}.log`)}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${MASTER_NAME} 5000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`, '',
    ].join('\n'));
    children.push(spawn('redis-sentinel', [config], { stdio: 'ignore' }));
  }
  const askSentinel = node(sentinels[0]!);
  const masterNow = async () => {
    const [, port] = (await askSentinel.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string];
    return Number(port);
  };
  for (const replica of replicas) await waitFor(async () => {
    const replicaClient = node(replica);
    try {
      const info = await replicaClient.info('replication');
      return /master_link_status:up/.test(info) ? true : undefined;
    } catch {
      return undefined;
    } finally {
      replicaClient.disconnect();
    }
  }, 15_000, 'the replica in sync');
  // Every sentinel must know the replica and the others, or the failover cannot be voted.
  for (const port of sentinels) {
    const client = node(port);
    await waitFor(async () => {
      const [known, others] = await Promise.all([
        client.call('SENTINEL', 'replicas', MASTER_NAME).catch(() => []) as Promise<unknown[]>,
        client.call('SENTINEL', 'sentinels', MASTER_NAME).catch(() => []) as Promise<unknown[]>,
      ]);
      return known.length === replicas.length && others.length === 2 ? true : undefined;
    }, 20_000, `sentinel ${port} to know the replica and the other sentinels`);
    client.disconnect();
  }

  return {
    url: `redis+sentinel://${sentinels.map((port) => `127.0.0.1:${port}`).join(',')}/${MASTER_NAME}`,
    ports: { master, replicas, sentinels },
    node(port) {
      return node(port);
    },
    restart(port) {
      children.push(spawn('redis-server', started.get(port)!, { stdio: 'ignore' }));
    },
    async master() {
      const port = await masterNow();
      const client = node(port);
      const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))![1]);
      client.disconnect();
      return { port, pid };
    },
    async failedOverFrom(port, timeoutMs) {
      return waitFor(async () => {
        const now = await masterNow().catch(() => port);
        if (now === port) return undefined;
        const client = node(now);
        try {
          return /role:master/.test(await client.info('replication')) ? now : undefined;
        } catch {
          return undefined;
        } finally {
          client.disconnect();
        }
      }, timeoutMs, 'the failover');
    },
    async close() {
      for (const client of clients) client.disconnect();
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
