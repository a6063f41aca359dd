// The content-filtering DNS resolver (docs/content.md): lists, profiles, networks and the
// address → person map held in memory and kept current by the change feed and session
// announcements; UDP and TCP at DNS_HOST:DNS_PORT. Off when DNS_PORT is unset.
import { readFileSync } from 'node:fs';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../config/env.js';
import { ConfigError } from '../errors.js';
import { createAnswerCache } from '../dns/cache.js';
import { createClientDirectory, type ClientDirectory } from '../dns/clients.js';
import { createFocusBook, type FocusBook } from '../dns/focus-book.js';
import { createGrantedBook } from '../dns/granted-book.js';
import { createQueryRecorder } from '../dns/query-log.js';
import { createRateLimiter } from '../dns/rate-limit.js';
import { createExplainer, createResolver, type Explained } from '../dns/resolver.js';
import { openDnsListener } from '../dns/transport.js';
import { createUpstream, parseUpstreams, resolvConfServers, type UpstreamServer } from '../dns/upstream.js';
import { createContentLists, type ContentLists } from '../store/content-lists.js';
import { createNetworkMatcher, createProfileResolver } from '../store/content-resolver.js';
import { subscribeSessionAnnouncements } from '../store/session-announcements.js';

export interface DnsService {
  port(): number;
  lists: ContentLists;
  clients: ClientDirectory;
  focus: FocusBook;
  /** What the filter decides for `name` asked from `ip` (the block page says why). */
  explain(ip: string, name: string): Promise<Explained>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Undefined when DNS_PORT is unset. */
    dns: DnsService | undefined;
  }
}

const SUMMARY_INTERVAL_MS = 60_000;

/** Whether forwarding to `server` would reach this resolver itself (a loop, not an answer). */
function isSelf(server: UpstreamServer, options: Config['dns']): boolean {
  if (server.port !== options.port) return false;
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  return server.host === options.host || (wildcard && (/^127\./.test(server.host) || server.host === '::1'));
}

function upstreamServers(options: Config['dns']): UpstreamServer[] {
  let servers: UpstreamServer[];
  try {
    servers = options.upstream ? parseUpstreams(options.upstream) : resolvConfServers(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch (error) {
    throw new ConfigError(options.upstream ? `DNS_UPSTREAM=${JSON.stringify(options.upstream)}: ${(error as Error).message}` : 'DNS_UPSTREAM is unset and /etc/resolv.conf cannot be read: set DNS_UPSTREAM');
  }
  const others = servers.filter((server) => !isSelf(server, options));
  if (others.length === 0) {
    throw new ConfigError(`${options.upstream ? 'DNS_UPSTREAM' : 'the nameservers of /etc/resolv.conf'} would send queries back to Mektep's own resolver: set DNS_UPSTREAM to the resolvers to forward to`);
  }
  return others;
}

function createCounters(registry: Registry, log: Logger) {
  const registers = [registry];
  const queries = new Counter({ name: 'mektep_dns_queries_total', help: 'DNS queries answered, by content profile and action', labelNames: ['profile', 'action'], registers });
  const blocked = new Counter({ name: 'mektep_dns_blocked_total', help: 'DNS queries blocked, by content profile and category (or rule)', labelNames: ['profile', 'category'], registers });
  const dropped = new Counter({ name: 'mektep_dns_dropped_total', help: 'DNS queries dropped unanswered, by reason', labelNames: ['reason'], registers });
  const failures = new Counter({ name: 'mektep_dns_failures_total', help: 'DNS queries answered SERVFAIL (upstream down or slow)', registers });
  // One info line a minute with the counts (never the names), so a filter at work is visible in the log.
  let minute = { queries: 0, blocked: 0, dropped: 0, failures: 0 };
  const summary = setInterval(() => {
    if (minute.queries + minute.dropped > 0) log.info(minute, 'dns summary');
    minute = { queries: 0, blocked: 0, dropped: 0, failures: 0 };
  }, SUMMARY_INTERVAL_MS).unref();
  // Label children looked up once per combination (a handful of profiles × actions).
  const children = new Map<string, { inc(): void }>();
  const child = (counter: Counter<'profile' | 'action'> | Counter<'profile' | 'category'>, a: string, b: string) => {
    const key = `${counter === queries ? 'q' : 'b'}|${a}|${b}`;
    let found = children.get(key);
    if (!found) children.set(key, (found = counter.labels(a, b)));
    return found;
  };
  return {
    stop: () => clearInterval(summary),
    counters: {
      query: (profile: string, action: string) => void (child(queries, profile, action).inc(), minute.queries++),
      blocked: (profile: string, category: string) => void (child(blocked, profile, category).inc(), minute.blocked++),
      dropped: (reason: string) => void (dropped.inc({ reason }), minute.dropped++),
      upstreamFailed: () => void (failures.inc(), minute.failures++),
    },
  };
}

export default fp<Config['dns']>(
  async (app, options) => {
    if (options.port === undefined) {
      app.decorate('dns', undefined);
      return;
    }
    const log = app.log.child({ component: 'dns' }) as Logger;
    const { store, changes } = app;
    const failed = (what: string) => (error: unknown) => log.warn({ err: error }, `${what} failed`);
    const servers = upstreamServers(options);

    const lists = await createContentLists(store.content.categories, changes, failed('category reload'));
    let network = createNetworkMatcher(await store.content.networks.list());
    const reloadNetworks = () => store.content.networks.list().then((list) => void (network = createNetworkMatcher(list))).catch(failed('network reload'));
    const profiles = createProfileResolver({
      roleProfile: async (role, school) => (await app.services.policies.effective(role, school)).contentProfile,
      profile: (name, school) => store.content.profiles.view(name, school),
    });
    const focus = await createFocusBook({ store: store.focus, now: Date.now, log });
    const granted = await createGrantedBook({ store: store.siteRequests, now: Date.now, log });
    const queries = await createQueryRecorder({ store: store.queryLog, now: Date.now, log });
    changes.on('change', (list) => {
      if (list.some((change) => change.entity === 'focus')) void focus.reload();
      if (list.some((change) => change.entity === 'content-granted')) void granted.reload();
      if (list.some((change) => change.entity === 'query-log')) void queries.reload();
      if (list.some((change) => ['content-profile', 'content-network', 'policy', 'role'].includes(change.entity))) profiles.clear();
      if (list.some((change) => change.entity === 'content-network')) void reloadNetworks();
    });
    changes.on('resync', () => {
      void focus.reload();
      void granted.reload();
      void queries.reload();
      profiles.clear();
      void reloadNetworks();
    });

    const clients = createClientDirectory({ byIp: (ip) => store.sessions.byIp(undefined, ip), now: Date.now });
    // A page at a time: a region's 100k live sessions never sit in memory as one array.
    const loadSessions = async () => {
      for await (const page of store.sessions.each()) clients.load(page);
    };
    await loadSessions();
    const announcements = await subscribeSessionAnnouncements(app.redis);
    announcements.on('session', (announcement) => clients.apply(announcement));
    announcements.on('resync', () => {
      clients.clear();
      loadSessions().catch(failed('session reload'));
    });

    const upstream = createUpstream({ servers });
    const cache = createAnswerCache({ resolve: (question) => upstream.resolve(question), now: Date.now });
    const limiter = createRateLimiter({ perSecond: options.clientRate, burst: options.clientRate * 2, now: Date.now });
    const sweep = setInterval(() => limiter.sweep(), 60_000).unref();
    const { counters, stop } = createCounters(app.metrics.registry, log);
    const registers = [app.metrics.registry];
    new Gauge({ name: 'mektep_dns_list_domains', help: 'Names held in memory per category list', labelNames: ['category'], registers, collect() {
      this.reset();
      for (const [category, size] of Object.entries(lists.sizes())) this.set({ category }, size);
    } });
    new Gauge({ name: 'mektep_dns_cache_entries', help: 'Upstream answers held in the DNS cache', registers, collect() {
      this.set(cache.stats().entries);
    } });

    const [v4, v6] = [options.blockAddresses.find((address) => !address.includes(':')), options.blockAddresses.find((address) => address.includes(':'))];
    const deciding = { clients, network: (ip: string) => network(ip), profiles, focus: focus.of, granted: granted.of, lookup: lists.lookup };
    const answer = createResolver({
      ...deciding,
      record: queries.record,
      cache,
      blockAddresses: { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) },
      allow: options.clientRate > 0 ? (client) => limiter.allow(client) : () => true,
      counters,
      log,
    });
    const listener = await openDnsListener(options.host, options.port, answer, (error) => log.error({ err: error }, 'dns socket error'));
    app.decorate('dns', { port: () => listener.port(), lists, clients, focus, explain: createExplainer(deciding) });
    log.info({ port: listener.port(), upstream: servers.map((server) => `${server.host}:${server.port}`), lists: lists.sizes(), blockAddresses: options.blockAddresses }, 'dns listening');
    app.addHook('onClose', async () => {
      clearInterval(sweep);
      focus.stop();
      queries.stop();
      await queries.flush().catch(() => undefined);
      stop();
      announcements.close();
      await listener.close();
    });
  },
  { name: 'dns', dependencies: ['metrics', 'redis', 'services'] },
);
