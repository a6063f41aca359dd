// The only reader of process.env. Every variable is validated once at start; a bad one stops
// Mektep with a message that names it (and never shows a secret's value).
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../errors.js';
import { parseSentinelUrl, SENTINEL_SCHEME } from '../redis/sentinel-url.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const EnvSchema = Type.Object({
  REDIS_URL: Type.Optional(Type.String({ pattern: '^(redis|rediss|unix|redis\\+sentinel)://', description: 'redis://, rediss://, unix:///path/to/redis.sock or redis+sentinel://host1:26379,host2:26379/master-name' })),
  HTTP_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  HTTP_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  RADIUS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  RADIUS_AUTH_PORT: Type.Integer({ default: 1812, minimum: 0, maximum: 65535 }),
  RADIUS_ACCT_PORT: Type.Integer({ default: 1813, minimum: 0, maximum: 65535 }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+' })),
  DATA_DIR: Type.String({ default: 'data', minLength: 1 }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), { default: 'info' }),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32, description: 'at least 32 characters' })),
  TLS_CERT: Type.Optional(Type.String({ minLength: 1, description: 'the path of a PEM certificate (chain) file' })),
  TLS_KEY: Type.Optional(Type.String({ minLength: 1, description: 'the path of a PEM private key file' })),
  TRUST_PROXY: Type.Optional(Type.String({ pattern: '^(true|false|\\d+|[0-9a-fA-F.:/, ]+)$', description: 'true, false, a number of hops, or proxy addresses/CIDRs separated by commas' })),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 1000, minimum: 50, maximum: 10000 }),
  REDIS_WAIT_REPLICAS: Type.Integer({ default: 0, minimum: 0, maximum: 16 }),
  REDIS_WAIT_TIMEOUT_MS: Type.Integer({ default: 500, minimum: 10, maximum: 10000 }),
  REDIS_APPENDFSYNC: Type.Union([Type.Literal('everysec'), Type.Literal('always')], { default: 'everysec', description: 'everysec or always' }),
  METRICS_ALLOW: Type.String({ default: '127.0.0.1,::1', pattern: '^(none|[0-9a-fA-F.:/, ]+)$', description: 'IP addresses or CIDR blocks separated by commas, or none' }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 32, pattern: '^[\\x21-\\x7e]+$', description: 'at least 32 printable characters without spaces' })),
  DNS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  DNS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  DNS_UPSTREAM: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F.:\\[\\], ]+$', description: 'upstream resolvers as ip[:port] separated by commas ([v6]:port for IPv6)' })),
  DNS_CLIENT_RATE: Type.Integer({ default: 2000, minimum: 0, maximum: 1_000_000, description: 'queries a second one client address may send (bursts of twice that); 0: no limit' }),
  WORKERS: Type.Integer({ default: 1, minimum: 1, maximum: 64, description: 'a whole number from 1 to 64 (processes sharing the ports; 1 unless the box has cores to spare, see docs/radius.md "Workers")' }),
  DNS_BLOCK_ADDRESS: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F.:, ]+$', description: 'the block page address: an IPv4 address, an IPv6 address, or one of each separated by a comma' })),
});
type Env = Static<typeof EnvSchema>;

export interface Config {
  redisUrl: string | undefined;
  http: { host: string; port: number };
  radius: { host: string; authPort: number; acctPort: number };
  publicUrl: string;
  dataDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  sessionSecret: string | undefined;
  /** Serve HTTPS with this certificate and key (PEM file paths). */
  tls: { cert: string; key: string } | undefined;
  /** Fastify trustProxy: who may set X-Forwarded-For / -Proto. */
  trustProxy: boolean | number | string[];
  /** Longest a Redis command may take before the RADIUS request is dropped unanswered. */
  redisCommandTimeoutMs: number;
  /** Replicas that must hold an accounting write (WAIT) before it is answered; 0: the master alone. */
  redisWait: { replicas: number; timeoutMs: number };
  /** The embedded Redis's fsync policy: 'always' means an acknowledged write is on disk. */
  redisAppendFsync: 'everysec' | 'always';
  /** Who may read /metrics: client addresses (IP or CIDR), or anyone with the bearer token. */
  metrics: { allow: string[]; token: string | undefined };
  /** Processes sharing the sockets (cluster.ts); 1: this process alone. */
  workers: number;
  /** The content-filtering resolver; off without a port. */
  dns: { host: string; port: number | undefined; upstream: string | undefined; blockAddresses: string[]; clientRate: number };
}

/** Variables whose values are never repeated in an error message. */
const SECRET_VARIABLES = new Set(['SESSION_SECRET', 'METRICS_TOKEN']);

/** A value as an error message may show it: secrets by length only, URLs without credentials. */
function shown(name: string, value: string): string {
  if (SECRET_VARIABLES.has(name)) return `(${[...value].length} characters, value not shown)`;
  if (name === 'REDIS_URL') return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@]*@/i, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`));
  return JSON.stringify(value);
}

function describe(path: string, schema: { description?: string; pattern?: string; minimum?: number; maximum?: number }, message: string): string {
  if (schema.description) return schema.description;
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `a whole number from ${schema.minimum} to ${schema.maximum}`;
  if (path === '/LOG_LEVEL') return `one of ${LOG_LEVELS.join(', ')}`;
  if (schema.pattern) return `a value matching ${schema.pattern}`;
  return message.toLowerCase();
}

function redisUrlIsValid(url: string): void {
  if (!url.startsWith(SENTINEL_SCHEME)) {
    if (!URL.canParse(url)) throw new ConfigError(`REDIS_URL=${shown('REDIS_URL', url)}: expected a URL`);
    return;
  }
  try {
    parseSentinelUrl(url);
  } catch (error) {
    throw new ConfigError(`REDIS_URL=${shown('REDIS_URL', url)}: ${(error as Error).message}`);
  }
}

function hostIsValid(host: string): boolean {
  return isIP(host) !== 0 || /^[a-z0-9.-]+$/i.test(host);
}

function addressOrBlockIsValid(entry: string): boolean {
  const [ip = '', prefix, extra] = entry.split('/');
  const version = isIP(ip);
  if (version === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

function publicUrlFrom(host: string, port: number, https: boolean): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `${https ? 'https' : 'http'}://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}`;
}

/** DNS_BLOCK_ADDRESS, else PUBLIC_URL's host when it is an IP address. */
function blockAddressesOf(value: string | undefined, publicUrl: string): string[] {
  const listed = value === undefined ? [new URL(publicUrl).hostname.replace(/^\[|\]$/g, '')] : value.split(',').map((part) => part.trim()).filter(Boolean);
  const addresses = listed.filter((address) => isIP(address) !== 0);
  if (value !== undefined && (addresses.length !== listed.length || new Set(addresses.map((address) => isIP(address))).size !== addresses.length)) {
    throw new ConfigError(`DNS_BLOCK_ADDRESS=${JSON.stringify(value)}: expected an IPv4 address, an IPv6 address, or one of each`);
  }
  return addresses;
}

function trustProxyOf(value: string | undefined): Config['trustProxy'] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}

/** Reads the environment (only the variables in EnvSchema), applying defaults. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  const first = Value.Errors(EnvSchema, env).First();
  if (first) {
    const name = first.path.slice(1);
    throw new ConfigError(`${name}=${shown(name, String(source[name] ?? ''))}: expected ${describe(first.path, first.schema, first.message)}`);
  }
  const valid = env as Env;
  for (const name of ['HTTP_HOST', 'RADIUS_HOST', 'DNS_HOST'] as const) {
    if (!hostIsValid(valid[name])) throw new ConfigError(`${name}=${JSON.stringify(valid[name])}: expected an IP address or host name`);
  }
  if ((valid.TLS_CERT === undefined) !== (valid.TLS_KEY === undefined)) {
    throw new ConfigError(`${valid.TLS_CERT === undefined ? 'TLS_CERT' : 'TLS_KEY'} is missing: HTTPS needs both TLS_CERT and TLS_KEY`);
  }
  if (valid.REDIS_URL !== undefined) redisUrlIsValid(valid.REDIS_URL);
  const metricsAllow = valid.METRICS_ALLOW === 'none' ? [] : valid.METRICS_ALLOW.split(',').map((part) => part.trim()).filter(Boolean);
  const badEntry = metricsAllow.find((entry) => !addressOrBlockIsValid(entry));
  if (badEntry !== undefined) throw new ConfigError(`METRICS_ALLOW: ${JSON.stringify(badEntry)} is not an IP address or CIDR block (e.g. 10.0.0.5 or 10.0.0.0/24)`);
  if (valid.PUBLIC_URL !== undefined && !URL.canParse(valid.PUBLIC_URL)) {
    throw new ConfigError(`PUBLIC_URL=${JSON.stringify(valid.PUBLIC_URL)}: expected an absolute http(s) URL`);
  }
  const publicUrl = (valid.PUBLIC_URL ?? publicUrlFrom(valid.HTTP_HOST, valid.HTTP_PORT, valid.TLS_CERT !== undefined)).replace(/\/+$/, '');
  return {
    redisUrl: valid.REDIS_URL,
    http: { host: valid.HTTP_HOST, port: valid.HTTP_PORT },
    radius: { host: valid.RADIUS_HOST, authPort: valid.RADIUS_AUTH_PORT, acctPort: valid.RADIUS_ACCT_PORT },
    publicUrl,
    dataDir: resolve(cwd, valid.DATA_DIR),
    logLevel: valid.LOG_LEVEL,
    sessionSecret: valid.SESSION_SECRET,
    tls: valid.TLS_CERT && valid.TLS_KEY ? { cert: resolve(cwd, valid.TLS_CERT), key: resolve(cwd, valid.TLS_KEY) } : undefined,
    trustProxy: trustProxyOf(valid.TRUST_PROXY),
    redisCommandTimeoutMs: valid.REDIS_COMMAND_TIMEOUT_MS,
    redisWait: { replicas: valid.REDIS_WAIT_REPLICAS, timeoutMs: valid.REDIS_WAIT_TIMEOUT_MS },
    redisAppendFsync: valid.REDIS_APPENDFSYNC,
    metrics: { allow: metricsAllow, token: valid.METRICS_TOKEN },
    workers: valid.WORKERS,
    dns: { host: valid.DNS_HOST, port: valid.DNS_PORT, upstream: valid.DNS_UPSTREAM, blockAddresses: blockAddressesOf(valid.DNS_BLOCK_ADDRESS, publicUrl), clientRate: valid.DNS_CLIENT_RATE },
  };
}
