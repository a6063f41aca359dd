// buildApp(): the whole Mektep service, as `npm start` runs it and as the tests build it.
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/env.js';
import { isCodedError } from './errors.js';
import api from './plugins/api.js';
import consolePlugin from './plugins/console.js';
import dns from './plugins/dns.js';
import health from './plugins/health.js';
import metrics from './plugins/metrics.js';
import portal from './plugins/portal.js';
import { createEarlyAnswer } from './portal/early-answer.js';
import radius from './plugins/radius.js';
import redis from './plugins/redis.js';
import services from './plugins/services.js';
import web from './plugins/web.js';
import type { RedisTarget } from './redis/connection.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  redis: RedisTarget;
}

export async function buildApp({ config, logger, redis: target }: AppOptions): Promise<FastifyInstance> {
  const fastifyLogger: FastifyBaseLogger = logger;
  const hops = config.trustProxy;
  const early = createEarlyAnswer();
  const options = {
    loggerInstance: fastifyLogger,
    trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops,
    return503OnClosing: true,
    // Portal URLs carry client MACs: request lines go to the debug log only (the hook below).
    logController: new LogController({ disableRequestLogging: true }),
    // The landing page is answered in front of Fastify when it can be (portal/landing-direct.ts).
    serverFactory: early.serverFactory(config.tls && { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }),
  };
  // Routes and plugins are the same over HTTP and HTTPS; only the server differs.
  const app = Fastify(options) as unknown as FastifyInstance;

  // Only at debug: a hook on every response costs the landing page ~2 µs even when it logs nothing.
  if (logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
      done();
    });
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code = isCodedError(error) ? error.code : 'MK_ERR_REQUEST';
    void reply.code(status).send({ error: { code, message: status >= 500 ? 'Internal error' : error.message } });
  });

  await app.register(metrics, config.metrics);
  await app.register(redis, { target, sessionSecret: config.sessionSecret, commandTimeoutMs: config.redisCommandTimeoutMs, wait: config.redisWait });
  await app.register(services);
  await app.register(radius, config.radius);
  await app.register(dns, config.dns);
  await app.register(health);
  // Sibling scopes over the shared web parts: each has its own layout, CSP, CSRF and errors.
  await app.register(web, { secure: config.publicUrl.startsWith('https:') });
  await app.register(portal, { config, early });
  await app.register(consolePlugin, { config, prefix: '/console' });
  await app.register(api, { prefix: '/api/v1' });
  return app;
}
