// The portal's two kinds of page: the login form (with the signed context it carries) and a
// one-line message (errors, "not online", …), both in the person's language.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NasClient } from '../store/nas.js';
import type { AccessPointRefusal } from './access-point.js';
import type { PortalContext } from './context.js';
import type { Messages } from '../i18n/languages.js';
import { messagesOf, renderPage } from './render.js';
import { isPrivateMac } from './sign-in.js';

export function messagePage(request: FastifyRequest, reply: FastifyReply, key: keyof Messages, status: number): FastifyReply {
  const t = messagesOf(request);
  return renderPage(request, reply, { template: 'portal/message.eta', status, data: { heading: t.heading, message: t[key], alert: status >= 400 } });
}

/** A link that leads to no access point Mektep may release to: logged, and said in the person's language. */
export function notOurAccessPointPage(request: FastifyRequest, reply: FastifyReply, context: PortalContext, reason: AccessPointRefusal): FastifyReply {
  request.log.info({ vendor: context.vendor, nasId: context.nasId, loginUrl: context.loginUrl, mac: context.clientMac, reason }, 'portal: link refused, not from a known access point');
  return messagePage(request, reply, 'errorUnknownAccessPoint', 400);
}

export interface LoginPageExtra {
  error?: keyof Messages;
  status?: number;
  username?: string;
}

export async function loginPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, page: { context: PortalContext; token: string; nas: NasClient }, extra: LoginPageExtra = {}): Promise<FastifyReply> {
  const { context, token, nas } = page;
  const rememberByDefault = (await app.services.policies.effective('student', nas.school)).rememberByDefault ?? false;
  return renderPage(request, reply, {
    template: 'portal/login.eta',
    status: extra.status ?? 200,
    school: app.services.schools.get(nas.school),
    keep: { ctx: token },
    data: {
      ctx: token,
      csrf: reply.generateCsrf(),
      error: extra.error ? messagesOf(request)[extra.error] : undefined,
      username: extra.username ?? '',
      canRemember: context.clientMac !== undefined,
      remember: rememberByDefault,
      privateMac: isPrivateMac(context.clientMac),
    },
  });
}
