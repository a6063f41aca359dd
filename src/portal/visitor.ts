// The visitor's signed context, read back from its cookie on every page after the landing page,
// and the access point it leads to — or the translated page that says why not.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NasClient } from '../store/nas.js';
import { accessPointOf } from './access-point.js';
import { CONTEXT_COOKIE, verifyContext, type PortalContext } from './context.js';
import { messagePage, notOurAccessPointPage } from './pages.js';

export interface Visitor {
  context: PortalContext;
  nas: NasClient;
}

export function visitorOf(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Visitor | FastifyReply {
  const context = verifyContext(request.cookies[CONTEXT_COOKIE], app.sessionSecret);
  if (context === 'expired') {
    request.log.info({ reason: 'expired-context' }, 'portal: page refused, its context has expired');
    return messagePage(request, reply, 'errorExpiredPage', 400);
  }
  if (context === 'invalid') {
    request.log.info({ reason: 'invalid-context' }, 'portal: page refused, no valid context cookie');
    return messagePage(request, reply, 'errorBadRequest', 400);
  }
  // Checked again on every page: the NAS record may have changed since the landing page.
  const point = accessPointOf(app.nasDirectory, context);
  if ('refused' in point) return notOurAccessPointPage(request, reply, context, point.refused);
  return { context, nas: point.nas };
}
