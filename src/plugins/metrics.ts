// Prometheus metrics at /metrics (prom-client), one registry per app instance. Served only to
// the addresses in METRICS_ALLOW or with the METRICS_TOKEN bearer token; anyone else gets the
// same 404 as a page that does not exist, so the endpoint does not reveal itself. That is why
// /metrics is no route: an onRequest hook answers the allowed, and everyone else falls through
// to whatever not-found handler the app has (the portal's translated page), reply and all.
// In a cluster worker (WORKERS > 1) the answer is the whole cluster's, summed by the primary.
import cluster from 'node:cluster';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { metricsOverIpc } from '../cluster.js';

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mektep_' });
  return {
    registry,
    httpRequests: new Counter({ name: 'mektep_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({
      name: 'mektep_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    landingDirect: new Counter({ name: 'mektep_portal_landing_direct_total', help: "Landing pages answered before Fastify's routing and hooks (also counted in mektep_http_requests_total)", registers: [registry] }),
    radiusPackets: new Counter({ name: 'mektep_radius_packets_total', help: 'RADIUS packets received, by listener and code', labelNames: ['listener', 'code'], registers: [registry] }),
    radiusDropped: new Counter({ name: 'mektep_radius_dropped_total', help: 'RADIUS packets dropped without an answer, by reason', labelNames: ['reason'], registers: [registry] }),
    radiusReplies: new Counter({ name: 'mektep_radius_replies_total', help: 'RADIUS replies sent, by code', labelNames: ['code'], registers: [registry] }),
    redisErrors: new Counter({ name: 'mektep_redis_errors_total', help: 'Redis connection and command errors', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export interface MetricsAccess {
  /** IP addresses and CIDR blocks (validated by the configuration). */
  allow: string[];
  token: string | undefined;
}

function allowList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [ip = '', prefix] = entry.split('/');
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(prefix), type);
  }
  return list;
}

const METRICS_PATH = '/metrics';
// Asked of every request: compared in place, not by splitting the URL.
const isMetrics = (request: FastifyRequest) =>
  (request.method === 'GET' || request.method === 'HEAD') && request.url.startsWith(METRICS_PATH) && (request.url.length === METRICS_PATH.length || request.url[METRICS_PATH.length] === '?');

const digest = (text: string) => createHash('sha256').update(text).digest();

function mayRead(access: MetricsAccess, allowed: BlockList): (request: FastifyRequest) => boolean {
  const token = access.token === undefined ? undefined : digest(access.token);
  return (request) => {
    const header = request.headers.authorization;
    // Compared as digests: equal lengths, and no timing hint about the token.
    if (token && header?.startsWith('Bearer ') && timingSafeEqual(digest(header.slice(7).trim()), token)) return true;
    // A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d.
    const ip = request.ip.startsWith('::ffff:') && isIP(request.ip.slice(7)) === 4 ? request.ip.slice(7) : request.ip;
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    return isIP(ip) !== 0 && allowed.check(ip, type);
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export default fp(
  async (app, access: MetricsAccess) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);

    // On every request: a callback hook, not an async one (no promise and microtask per request).
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? (isMetrics(request) && reply.statusCode === 200 ? METRICS_PATH : 'unmatched');
      metrics.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
      metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
      done();
    });

    // A worker holds only the requests the kernel gave it: the primary sums them all.
    const ipc = cluster.isWorker ? metricsOverIpc(metrics.registry) : undefined;
    if (ipc) app.addHook('onClose', async () => ipc.close());
    const exposition = async (): Promise<string> => {
      if (!ipc) return metrics.registry.metrics();
      const summed = await ipc.ask();
      if (summed !== undefined) return summed;
      app.log.warn('metrics: the primary did not answer; this worker\'s metrics alone');
      return `# The primary did not answer: the metrics of worker ${process.pid} alone.\n${await metrics.registry.metrics()}`;
    };

    const allowed = mayRead(access, allowList(access.allow));
    // A callback hook: every other request passes it without a promise.
    app.addHook('onRequest', (request, reply, done) => {
      if (!isMetrics(request)) return done();
      if (!allowed(request)) {
        request.log.info({ ip: request.ip }, 'metrics: refused (not in METRICS_ALLOW, no valid token)');
        return done();
      }
      exposition().then((text) => void reply.code(200).type(metrics.registry.contentType).send(text), done);
    });
  },
  { name: 'metrics' },
);
