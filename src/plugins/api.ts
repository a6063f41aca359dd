// The REST API under /api/v1: JSON in and out, bearer tokens (no cookies, so no CSRF), its own
// strict validation (unknown fields and repeated query parameters are a 400), error handler
// (JSON, never a stack), rate limit held in Redis (so it holds across instances) and the
// OpenAPI document generated from the route schemas. Encapsulated: none of this reaches the
// portal or the console. Management work goes over its own Redis connection (no RADIUS timeout).
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerAuth, claimedTokenId } from '../api/auth.js';
import { apiErrors } from '../api/errors.js';
import { routeModules } from '../api/routes/index.js';
import { ErrorSchema } from '../api/schemas.js';
import { schemaErrorMessage, strictValidator } from '../api/validation.js';
import { RateLimitedError, ValidationError } from '../errors.js';
import { createServices } from '../services/index.js';
import { createTokenAuthenticator } from '../services/tokens.js';
import { CSV_ENCODINGS, decodeCsv, type CsvEncoding } from '../store/csv.js';
import { keys } from '../store/keys.js';
import { readiness } from './health.js';

function csvEncoding(request: FastifyRequest): CsvEncoding | undefined {
  const named = (request.query as { encoding?: unknown }).encoding ?? /charset=([\w-]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (named === undefined) return undefined;
  const encoding = named === 'cp1251' ? 'windows-1251' : named;
  if (!(CSV_ENCODINGS as unknown[]).includes(encoding)) throw new ValidationError(`the CSV encoding must be one of ${CSV_ENCODINGS.join(', ')}`);
  return encoding as CsvEncoding;
}

/** Requests per minute per token (per address without a well-formed one). */
export const API_RATE_PER_MINUTE = 600;

export default async function api(app: FastifyInstance) {
  const store = app.managementStore;
  const actions = createServices({ store, enforcer: app.services.enforcer, admit: app.services.admit, health: () => readiness(app), log: app.log.child({ component: 'api' }) });
  app.setValidatorCompiler(strictValidator());
  app.setSchemaErrorFormatter(schemaErrorMessage);
  app.addSchema(ErrorSchema);
  apiErrors(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Mektep REST API', version: '1', description: 'Manage schools, access points, users, policies, sessions, devices, vouchers and content filtering. See docs/api.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'mk_<id>_<secret>, from `mektep token create`' } } },
      security: [{ bearer: [] }],
      tags: ['schools', 'nas', 'users', 'policies', 'sessions', 'devices', 'guests', 'vouchers', 'audit', 'accounts', 'tokens', 'content', 'dashboard'].map((name) => ({ name })),
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(rateLimit, {
    max: API_RATE_PER_MINUTE,
    timeWindow: '1 minute',
    redis: app.redisManagement,
    nameSpace: keys.apiRateLimit,
    keyGenerator: (request) => {
      const id = claimedTokenId(request);
      return id ? `token:${id}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => new RateLimitedError(`too many requests: at most ${context.max} a minute; try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  bearerAuth(app, createTokenAuthenticator(store));
  // A CSV as Excel saves it: the bytes decoded as the CLI decodes a file (detected, or named).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (request, body, done) => {
    try {
      done(null, decodeCsv(body as Buffer, csvEncoding(request)));
    } catch (error) {
      done(error as Error);
    }
  });

  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  for (const register of routeModules) register(typed, actions);
}
