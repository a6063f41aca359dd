// The Sentinel form of REDIS_URL, which WHATWG URL cannot parse (several hosts in the authority):
//   redis+sentinel://[user:password@]host1:26379,host2:26379/<master-name>[?db=N&sentinelPassword=…]
// The user and password are the master's (ACL or requirepass); sentinels that need their own
// password take it in the query. Pure: config validation and the connection both use it.
import { isIP } from 'node:net';

export const SENTINEL_SCHEME = 'redis+sentinel://';
const DEFAULT_SENTINEL_PORT = 26379;

export interface SentinelUrl {
  sentinels: { host: string; port: number }[];
  masterName: string;
  db: number;
  username?: string;
  password?: string;
  sentinelPassword?: string;
}

export class SentinelUrlError extends Error {}

function hostPort(entry: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
  const host = match?.[1]?.replace(/^\[|\]$/g, '');
  const port = Number(match?.[2] ?? DEFAULT_SENTINEL_PORT);
  if (!host || (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) || port < 1 || port > 65535) {
    throw new SentinelUrlError(`sentinel address ${JSON.stringify(entry)} is not host:port`);
  }
  return { host, port };
}

export function parseSentinelUrl(url: string): SentinelUrl {
  if (!url.startsWith(SENTINEL_SCHEME)) throw new SentinelUrlError(`expected ${SENTINEL_SCHEME}`);
  const rest = url.slice(SENTINEL_SCHEME.length);
  const [beforeQuery = '', query = ''] = rest.split(/\?(.*)/s, 2);
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const masterName = slash < 0 ? '' : decodeURIComponent(beforeQuery.slice(slash + 1));
  if (!masterName || masterName.includes('/')) throw new SentinelUrlError('expected the master name after the sentinel addresses (…:26379/mymaster)');
  const at = authority.lastIndexOf('@');
  const credentials = at < 0 ? undefined : authority.slice(0, at);
  const sentinels = (at < 0 ? authority : authority.slice(at + 1)).split(',').filter(Boolean).map(hostPort);
  if (!sentinels.length) throw new SentinelUrlError('expected at least one sentinel address');
  const params = new URLSearchParams(query);
  const db = Number(params.get('db') ?? 0);
  if (!Number.isInteger(db) || db < 0) throw new SentinelUrlError('db must be a whole number');
  const parsed: SentinelUrl = { sentinels, masterName, db };
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    const username = decodeURIComponent(colon < 0 ? credentials : credentials.slice(0, colon));
    const password = colon < 0 ? '' : decodeURIComponent(credentials.slice(colon + 1));
    if (username) parsed.username = username;
    if (password) parsed.password = password;
  }
  const sentinelPassword = params.get('sentinelPassword');
  if (sentinelPassword) parsed.sentinelPassword = sentinelPassword;
  return parsed;
}

/** For logs and errors: the sentinels and the master name, never a password. */
export function sentinelLabel({ sentinels, masterName, db }: SentinelUrl): string {
  const hosts = sentinels.map(({ host, port }) => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`).join(',');
  return `sentinel:${hosts}/${masterName}${db ? `?db=${db}` : ''}`;
}
