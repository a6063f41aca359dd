// The framework's own floor for the landing page: Fastify with one route and no plugins,
// answering every request with the same bytes and headers as bare-http.ts. Between this and
// bare Node is what routing, the request and reply objects and the hook runner cost.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [port = '0', file = ''] = process.argv.slice(2);
const body = readFileSync(file);
const app = Fastify({ logger: false });
app.get('/', (_request, reply) => reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body));
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
