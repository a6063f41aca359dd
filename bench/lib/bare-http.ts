// The floor for the landing page: a bare Node HTTP server answering every request with the bytes
// of one Mektep landing answer, its header lines included (the security headers, the CSP, the
// context cookie), so the two servers write the same bytes in the same pieces.
import { createServer } from 'node:http';
import { landingAnswer } from './landing-answer.js';

const [port = '0', file = ''] = process.argv.slice(2);
const { headers, body } = landingAnswer(file);
const server = createServer((_request, response) => {
  response.writeHead(200, headers).end(body);
});
// Fastify's default, so that even the Keep-Alive line is the same.
server.keepAliveTimeout = 72_000;
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
