// /healthz: the process answers. /readyz: Redis answers and the RADIUS sockets are bound; a load
// balancer or orchestrator stops sending traffic while it says 503.
import fp from 'fastify-plugin';

const PING_TIMEOUT_MS = 1000;

export default fp(
  async (app) => {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const redis = app.redis.status === 'ready'
        ? await Promise.race([
          app.redis.ping().then(() => true, () => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PING_TIMEOUT_MS).unref()),
        ])
        : false;
      const radius = app.radius.auth.port() > 0 && app.radius.acct.port() > 0;
      const ready = redis && radius;
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'not ready', checks: { redis: redis ? 'ok' : 'unreachable', radius: radius ? 'ok' : 'not bound' } };
    });
  },
  { name: 'health', dependencies: ['redis', 'radius'] },
);
