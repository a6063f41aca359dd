// What every web scope shares (portal, console and the API): cookies signed with the session
// secret, form bodies, helmet's headers (each scope sets its own CSP), compression, and the
// rate-limit store in Redis, so that a limit holds across instances behind a load balancer.
// Registered once at the root; the scopes are sibling plugins below it (see app.ts).
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { keys } from '../store/keys.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Options for @fastify/rate-limit in one scope: its counters in Redis, under the scope's name. */
    webRateLimit(scope: string, options?: RateLimitPluginOptions): RateLimitPluginOptions;
  }
}

export interface WebOptions {
  /** PUBLIC_URL is https: HSTS on. */
  secure: boolean;
}

export default fp<WebOptions>(
  async (app, { secure }) => {
    await app.register(cookie, { secret: app.sessionSecret });
    await app.register(formbody, { bodyLimit: 16 * 1024 });
    // Helmet's other headers; each scope writes its own Content-Security-Policy.
    await app.register(helmet, { contentSecurityPolicy: false, strictTransportSecurity: secure, crossOriginEmbedderPolicy: false });
    await app.register(compress, { threshold: 256 });
    app.decorate('webRateLimit', (scope: string, options: RateLimitPluginOptions = {}) => ({
      ...options,
      redis: app.redis,
      nameSpace: keys.webRateLimit(scope),
      // Redis away: the pages that need it fail on their own; a limit should not add a second error.
      skipOnError: true,
    }));
  },
  { name: 'web', dependencies: ['redis'] },
);
