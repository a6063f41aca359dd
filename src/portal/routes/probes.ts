// Operating-system captive-portal probes, answered as the real endpoints do once the device is
// online, and with a redirect to the portal while it is captive (when the AP or a DNS redirect
// sends them here). And the RFC 8908 captive-portal API. Devices are known by source address.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.js';
import { allowanceOf } from '../allowance.js';

const APPLE_SUCCESS = '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>';
const FIREFOX_CANONICAL = '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>';

type Answer = (reply: FastifyReply) => FastifyReply;
const text = (body: string, type = 'text/plain'): Answer => (reply) => reply.code(200).type(type).send(body);

const PROBES: Record<string, Answer> = {
  '/generate_204': (reply) => reply.code(204).send(),
  '/gen_204': (reply) => reply.code(204).send(),
  '/hotspot-detect.html': text(APPLE_SUCCESS, 'text/html'),
  '/library/test/success.html': text(APPLE_SUCCESS, 'text/html'),
  '/connecttest.txt': text('Microsoft Connect Test'),
  '/ncsi.txt': text('Microsoft NCSI'),
  '/canonical.html': text(FIREFOX_CANONICAL, 'text/html'),
  '/success.txt': text('success\n'),
};

export function probeRoutes(app: FastifyInstance, config: Config) {
  const online = async (request: FastifyRequest) => (await app.store.sessions.byIp(undefined, request.ip)) !== undefined;

  for (const [path, answer] of Object.entries(PROBES)) {
    app.get(path, async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return (await online(request)) ? answer(reply) : reply.redirect(`${config.publicUrl}/`, 302);
    });
  }
  // Windows opens /redirect in a browser when it finds itself captive.
  app.get('/redirect', async (request, reply) => reply.redirect((await online(request)) ? `${config.publicUrl}/status` : `${config.publicUrl}/`, 302));

  // RFC 8908 §5: the API answers captive or not, with what is left of the session.
  app.get('/api/captive', async (request, reply) => {
    const session = await app.store.sessions.byIp(undefined, request.ip);
    const body: Record<string, unknown> = { captive: !session, 'user-portal-url': `${config.publicUrl}/`, 'can-extend-session': false };
    if (session) {
      const { secondsLeft, bytesLeft } = await allowanceOf(app, session);
      if (secondsLeft !== undefined) body['seconds-remaining'] = secondsLeft;
      if (bytesLeft !== undefined) body['bytes-remaining'] = bytesLeft;
    }
    // A Buffer, so no charset parameter is appended to the RFC 8908 media type.
    return reply.header('cache-control', 'private').type('application/captive+json').send(Buffer.from(JSON.stringify(body)));
  });
}
