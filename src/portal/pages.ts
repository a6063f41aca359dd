// The portal's two kinds of page: the login form and a one-line message (errors, "not online",
// …), both in the person's language. The login form as first shown is the cached landing page
// (landing.ts); rendered here it is the same form again with a refusal and the username typed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NasClient } from '../store/nas.js';
import type { AccessPointRefusal } from './access-point.js';
import type { PortalContext } from './context.js';
import type { Messages } from '../i18n/languages.js';
import type { Policy } from '../policy/fields.js';
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

export interface LoginLook {
  /** The AP named the device: it can be remembered, and take a voucher or a guest request. */
  canRemember: boolean;
  /** "Remember this device" ticked at first (the school's student policy). */
  remember: boolean;
  /** Its MAC is a private one: the page says how to turn that off. */
  privateMac: boolean;
}

/** All the login form varies by besides language and school (see landing.ts), given the school's student policy. */
export function lookOf(context: PortalContext, studentPolicy: Policy): LoginLook {
  return { canRemember: context.clientMac !== undefined, remember: studentPolicy.rememberByDefault ?? false, privateMac: isPrivateMac(context.clientMac) };
}

/** The look, with no promise to wait for when the school's student policy is in memory already. */
export async function loginLook(app: FastifyInstance, context: PortalContext, nas: NasClient): Promise<LoginLook> {
  const { policies } = app.services;
  return lookOf(context, policies.cached?.('student', nas.school) ?? (await policies.effective('student', nas.school)));
}

/** What the login form shows besides the layout. */
export function loginFormData(t: Messages, look: LoginLook, extra: LoginPageExtra = {}) {
  return { canRemember: look.canRemember, remember: look.remember, privateMac: look.privateMac, error: extra.error ? t[extra.error] : undefined, username: extra.username ?? '' };
}

/** The login form again, with why the sign-in was refused and the username typed. */
export async function loginPage(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, page: { context: PortalContext; nas: NasClient }, extra: LoginPageExtra = {}): Promise<FastifyReply> {
  return renderPage(request, reply, {
    template: 'portal/login.eta',
    status: extra.status ?? 200,
    school: app.services.schools.get(page.nas.school),
    data: loginFormData(messagesOf(request), await loginLook(app, page.context, page.nas), extra),
  });
}
