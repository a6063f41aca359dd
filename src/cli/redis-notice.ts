// Which Redis a CLI command uses, said on standard error before it acts: a command started with
// another DATA_DIR than the running server's would otherwise edit a database nobody serves.
import type { Config } from '../config/env.js';
import { readLock } from '../redis/data-lock.js';
import { openRedis, type RedisHandle } from '../redis/connection.js';

const PROBE_TIMEOUT_MS = 500;

/** Whether a Mektep answers /healthz on this machine at the configured HTTP port. */
async function serverAnswers(config: Config): Promise<string | undefined> {
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const url = `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as { status?: string };
    return body.status === 'ok' ? url : undefined;
  } catch {
    return undefined;
  }
}

export async function openCliRedis(config: Config): Promise<{ handle: RedisHandle; notices: string[] }> {
  if (config.redisUrl) {
    const handle = await openRedis(config.redisUrl, config.dataDir, 'cli');
    return { handle, notices: [`using Redis at ${handle.target.label} (REDIS_URL)`] };
  }
  const owner = readLock(config.dataDir);
  const handle = await openRedis(undefined, config.dataDir, 'cli');
  if (owner?.holder === 'server') return { handle, notices: [`using the Redis of the Mektep running on ${config.dataDir} (pid ${owner.pid})`] };
  const notices = [`no Mektep runs on ${config.dataDir}: started its Redis for this command`];
  const elsewhere = await serverAnswers(config);
  if (elsewhere) {
    notices.push(`warning: a Mektep answers at ${elsewhere} but does not use ${config.dataDir}; this command changes data that server does not see. Run it with that server's DATA_DIR (or REDIS_URL).`);
  }
  return { handle, notices };
}
