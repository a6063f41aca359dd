// Prometheus metrics at /metrics (prom-client), one registry per app instance.
import fp from 'fastify-plugin';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    radiusPackets: new Counter({ name: 'mektep_radius_packets_total', help: 'RADIUS packets received, by listener and code', labelNames: ['listener', 'code'], registers: [registry] }),
    radiusDropped: new Counter({ name: 'mektep_radius_dropped_total', help: 'RADIUS packets dropped without an answer, by reason', labelNames: ['reason'], registers: [registry] }),
    radiusReplies: new Counter({ name: 'mektep_radius_replies_total', help: 'RADIUS replies sent, by code', labelNames: ['code'], registers: [registry] }),
    redisErrors: new Counter({ name: 'mektep_redis_errors_total', help: 'Redis connection and command errors', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export default fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
      metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });

    app.get('/metrics', (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics' },
);
