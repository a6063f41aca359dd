// A voucher code typed on the portal's first view (docs/vouchers.md): guessing counted per device
// and per address, the code redeemed for this device in one step (two devices racing for the last
// use: one wins), then the same hand-off as a sign-in — a one-time credential bound to the device
// and NAS, carrying when the voucher ends, released only to the access point the NAS record allows.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Messages } from '../../i18n/languages.js';
import type { Principal } from '../../services/principal.js';
import { createVoucherService } from '../../services/vouchers.js';
import type { NasClient } from '../../store/nas.js';
import { createVoucherGuessGuard, type RedeemRefusal } from '../../store/vouchers.js';
import { dialectFor } from '../../vendors/portal/index.js';
import type { PortalContext } from '../context.js';
import { messagePage } from '../pages.js';
import { messagesOf, renderPage } from '../render.js';
import { authorizeOnController } from '../unifi-controller.js';
import { visitorOf } from '../visitor.js';

// The device's context is in its cookie (visitor.ts), not in these.
const FORM_QUERY = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const VOUCHER_BODY = Type.Object({
  code: Type.String({ maxLength: 40 }),
  lang: Type.Optional(Type.String({ maxLength: 8 })),
});

const REFUSALS: Record<RedeemRefusal | 'locked', { key: keyof Messages; status: number }> = {
  unknown: { key: 'voucherErrorUnknown', status: 401 },
  'used-up': { key: 'voucherErrorUsedUp', status: 403 },
  expired: { key: 'voucherErrorExpired', status: 403 },
  revoked: { key: 'voucherErrorRevoked', status: 403 },
  locked: { key: 'voucherErrorLocked', status: 429 },
};

export function voucherRoutes(app: FastifyInstance) {
  const guard = createVoucherGuessGuard(app.redis);
  const vouchers = createVoucherService({ ...app.store, enforcer: app.services.enforcer });
  const schoolOf = (nas: NasClient) => app.services.schools.get(nas.school);

  async function release(request: FastifyRequest, reply: FastifyReply, context: PortalContext, nas: NasClient, claims: { mac: string; role: string; school?: string; until: number }) {
    const token = await app.store.tokens.mint({ mac: claims.mac, nas: nas.address, role: claims.role, ...(claims.school ? { school: claims.school } : {}), until: String(claims.until) });
    const released = dialectFor(context.vendor).release(context, token, nas);
    if (released.kind === 'controller') {
      await authorizeOnController(released.request, nas);
      const t = messagesOf(request);
      return renderPage(request, reply, { template: 'portal/message.eta', school: schoolOf(nas), data: { heading: t.statusHeading, message: t.connectingHint, continueUrl: released.then } });
    }
    return renderPage(request, reply, { template: 'portal/release.eta', school: schoolOf(nas), formAction: new URL(released.action).origin, data: { release: released } });
  }

  /** The signed context, its access point and the device, or the page that says why not. */
  function placeOf(request: FastifyRequest, reply: FastifyReply): { context: PortalContext; nas: NasClient; mac: string } | FastifyReply {
    const visitor = visitorOf(app, request, reply);
    if (!('nas' in visitor)) return visitor;
    // A voucher's uses are counted per device: an AP that does not name the device cannot take one.
    if (!visitor.context.clientMac) return messagePage(request, reply, 'voucherNeedsMac', 400);
    return { ...visitor, mac: visitor.context.clientMac };
  }

  function form(request: FastifyRequest, reply: FastifyReply, nas: NasClient, code = '', error?: { key: keyof Messages; status: number }) {
    return renderPage(request, reply, {
      template: 'portal/voucher.eta', status: error?.status ?? 200, school: schoolOf(nas),
      data: { code, error: error ? messagesOf(request)[error.key] : undefined },
    });
  }

  app.get<{ Querystring: Static<typeof FORM_QUERY> }>('/voucher', { schema: { querystring: FORM_QUERY } }, async (request, reply) => {
    const place = placeOf(request, reply);
    return 'mac' in place ? form(request, reply, place.nas) : place;
  });

  app.post<{ Body: Static<typeof VOUCHER_BODY> }>('/voucher', {
    schema: { body: VOUCHER_BODY },
  }, async (request, reply) => {
    const body = request.body;
    const place = placeOf(request, reply);
    if (!('mac' in place)) return place;
    const { context, nas, mac } = place;
    const refuse = (reason: RedeemRefusal | 'locked') => {
      request.log.info({ mac, nas: nas.address, client: request.ip, reason }, 'portal: voucher refused');
      return form(request, reply, nas, body.code, REFUSALS[reason]);
    };
    if (!(await guard.attempt(mac, request.ip))) return refuse('locked');
    const principal: Principal = { kind: 'portal', mac, ip: request.ip, nas: nas.address };
    const redemption = await vouchers.redeem(principal, body.code);
    if (!redemption.ok) {
      if (redemption.reason !== 'unknown') await guard.giveBack(mac, request.ip);
      return refuse(redemption.reason);
    }
    await guard.giveBack(mac, request.ip);
    const { voucher, endsAt } = redemption;
    const school = voucher.school ?? nas.school;
    request.log.info({ voucher: voucher.code, batch: voucher.batch, role: voucher.role, school, mac, nas: nas.address, until: new Date(endsAt).toISOString() }, 'portal: voucher redeemed');
    return release(request, reply, context, nas, { mac, role: voucher.role, ...(school ? { school } : {}), until: endsAt });
  });
}
