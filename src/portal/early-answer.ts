// Fastify's server with one request handler in front of the framework: a request it answers
// never reaches Fastify's routing, hooks, request and reply objects; every other request (and
// every request while the handler is not set) goes to Fastify as before. The portal sets it to
// the landing page's direct answer (landing-direct.ts) once its routes are ready.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';

/** True when it has answered the request itself; false leaves the request untouched to Fastify. */
export type EarlyAnswer = (request: IncomingMessage, response: ServerResponse) => boolean;

/** The options Fastify hands a server factory (its defaults filled in). */
interface FactoryOptions {
  http?: ServerOptions | null;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  connectionTimeout?: number;
  maxRequestsPerSocket?: number;
}

export function createEarlyAnswer() {
  let early: EarlyAnswer | undefined;
  return {
    set(answer: EarlyAnswer | undefined): void {
      early = answer;
    },
    /** Fastify's `serverFactory`: the server Fastify itself would make (fastify/lib/server.js), over
     * TLS when `tls` is given, with the early answer first. */
    serverFactory: (tls: HttpsOptions | undefined) => (handler: (request: IncomingMessage, response: ServerResponse) => void, options: FactoryOptions): Server => {
      const listener = (request: IncomingMessage, response: ServerResponse) => {
        if (early === undefined || !early(request, response)) handler(request, response);
      };
      const server = tls ? createHttpsServer(tls, listener) : createHttpServer(options.http ?? {}, listener);
      if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
      if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
      server.setTimeout(options.connectionTimeout ?? 0);
      if ((options.maxRequestsPerSocket ?? 0) > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket!;
      return server;
    },
  };
}

export type EarlyAnswerSlot = ReturnType<typeof createEarlyAnswer>;
