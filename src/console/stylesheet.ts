// The console's one stylesheet (public/console.css), served under a name that carries its hash,
// so browsers may keep it for a year and still get a new one the moment it changes. It is the
// only style the CSP allows ('self'), and the console has no script at all.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

export function serveStylesheet(app: FastifyInstance, file: string): string {
  const body = readFileSync(file);
  const name = `console-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.css`;
  app.get(`/assets/${name}`, { config: { public: true } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=31536000, immutable').type('text/css; charset=utf-8').send(body));
  return `/console/assets/${name}`;
}
