// What every web scope shares (portal, console and the API): cookies signed with the session
// secret, form bodies, helmet's headers (each scope sets its own CSP), compression, and the
// rate-limit store in Redis, so that a limit holds across instances behind a load balancer.
// Registered once at the root; the scopes are sibling plugins below it (see app.ts).
import { createRequire } from 'node:module';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { keys } from '../store/keys.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Helmet's headers (no CSP), as every answer carries them: the landing page's direct answer writes them too. */
    securityHeaders: Readonly<Record<string, string>>;
    /** Options for @fastify/rate-limit in one scope: its counters in Redis, under the scope's name. */
    webRateLimit(scope: string, options?: RateLimitPluginOptions): RateLimitPluginOptions;
  }
}

export interface WebOptions {
  /** PUBLIC_URL is https: HSTS on. */
  secure: boolean;
}

type HelmetMiddleware = (options: object) => (request: object, response: { setHeader(name: string, value: string): void; removeHeader(name: string): void }, next: () => void) => void;

/** What helmet sets on a response, with the helmet that @fastify/helmet depends on (the
 * dependency this project declares). */
function securityHeaders(options: object): Record<string, string> {
  const fromPlugin = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
  const middleware = fromPlugin('helmet') as HelmetMiddleware;
  const headers: Record<string, string> = {};
  middleware(options)({}, { setHeader: (name, value) => void (headers[name.toLowerCase()] = value), removeHeader: (name) => void delete headers[name.toLowerCase()] }, () => undefined);
  return headers;
}

export default fp<WebOptions>(
  async (app, { secure }) => {
    await app.register(cookie, { secret: app.sessionSecret });
    await app.register(formbody, { bodyLimit: 16 * 1024 });
    // Helmet's other headers, on every answer; each scope writes its own Content-Security-Policy.
    // Built once by helmet itself at start: @fastify/helmet would build helmet's middleware
    // again on every request (a few µs each, a fifth of the landing page's cost).
    const headers = securityHeaders({ contentSecurityPolicy: false, strictTransportSecurity: secure, crossOriginEmbedderPolicy: false });
    app.addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
    app.decorate('securityHeaders', headers);
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
