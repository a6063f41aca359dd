// /healthz: the process answers. /readyz: Redis answers, the RADIUS sockets are bound and the
// device directory is loaded; a load balancer or orchestrator stops sending traffic while it says
// 503. RADIUS Status-Server asks the same question (readiness() below), so a proxy's health check
// and /readyz never disagree.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Readiness } from '../services/dashboard.js';

/** Whether this instance can serve: Redis answers within the command timeout, both RADIUS ports
 * are bound, and the device directory has loaded (until then MAC authentication asks Redis). */
export async function readiness(app: Pick<FastifyInstance, 'redisAnswers' | 'radius' | 'services'>): Promise<Readiness> {
  const redis = await app.redisAnswers();
  const radius = app.radius.auth.port() > 0 && app.radius.acct.port() > 0;
  const devices = app.services.devices.loaded();
  return {
    ready: redis && radius && devices,
    checks: { redis: redis ? 'ok' : 'unreachable', radius: radius ? 'ok' : 'not bound', devices: devices ? 'ok' : 'loading' },
  };
}

export default fp(
  async (app) => {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_request, reply) => {
      const { ready, checks } = await readiness(app);
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : 'not ready', checks };
    });
  },
  { name: 'health', dependencies: ['redis', 'services', 'radius'] },
);
