// The framework's own floor for the landing page: Fastify with one route and no plugins,
// answering every request with the same header lines and body as bare-http.ts. Between this and
// bare Node is what routing, the request and reply objects and the hook runner cost.
import Fastify from 'fastify';
import { landingAnswer } from './landing-answer.js';

const [port = '0', file = ''] = process.argv.slice(2);
const { headers, body } = landingAnswer(file);
const fields: Record<string, string> = {};
for (let i = 0; i < headers.length; i += 2) fields[headers[i]!] = headers[i + 1]!;
const app = Fastify({ logger: false });
app.get('/', (_request, reply) => reply.headers(fields).send(body));
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
