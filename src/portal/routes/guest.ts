// A guest asks a teacher for access (docs/guests.md): the form (teachers of the AP's school), the
// request, and the waiting page that refreshes by itself (a Refresh header: no script) until the
// teacher decides. Once approved it continues to the same hand-off as a sign-in: a one-time
// credential bound to the device and NAS, carrying the approval's end, released through the
// access point the NAS record allows.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCodedError } from '../../errors.js';
import { formatDateTime } from '../../i18n/format.js';
import { fill, type Messages } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import { createGuestService, GUEST_ROLE, type Teacher } from '../../services/guests.js';
import type { Principal } from '../../services/principal.js';
import type { NasClient } from '../../store/nas.js';
import { dialectFor } from '../../vendors/portal/index.js';
import type { PortalContext } from '../context.js';
import { messagePage } from '../pages.js';
import { messagesOf, renderPage } from '../render.js';
import { authorizeOnController } from '../unifi-controller.js';
import { visitorOf } from '../visitor.js';

/** Seconds between the waiting page's refreshes. */
export const GUEST_REFRESH_SECONDS = 5;

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
// The device's context is in its cookie (visitor.ts), not in these.
const FORM_QUERY = Type.Object({ lang: FIELD(8) });
const WAIT_QUERY = Type.Object({ id: Type.String({ maxLength: 16 }), lang: FIELD(8) });
const ASK_BODY = Type.Object({
  lang: FIELD(8),
  name: FIELD(100), contact: FIELD(120), sponsor: FIELD(64), reason: FIELD(300),
});

const REFUSALS: Record<'denied-recently' | 'device-rate' | 'school-rate', { key: keyof Messages; status: number }> = {
  'denied-recently': { key: 'guestErrorDeniedRecently', status: 403 },
  'device-rate': { key: 'guestErrorDeviceRate', status: 429 },
  'school-rate': { key: 'guestErrorSchoolRate', status: 429 },
};

interface Place {
  context: PortalContext;
  nas: NasClient;
  mac: string;
  school: string;
  principal: Principal;
}

export function guestRoutes(app: FastifyInstance) {
  const guests = createGuestService({ ...app.store, enforcer: app.services.enforcer, log: app.log.child({ component: 'portal' }) });
  const schoolOf = (nas: NasClient) => app.services.schools.get(nas.school);

  /** The signed context, its access point and the device, or the page that says why not. */
  function placeOf(request: FastifyRequest, reply: FastifyReply): Place | FastifyReply {
    const visitor = visitorOf(app, request, reply);
    if (!('nas' in visitor)) return visitor;
    const { context, nas } = visitor;
    // A request is kept by device: an AP that does not name the device cannot take one.
    // A request goes to the teachers of the AP's school: an AP of no school cannot take one.
    if (!context.clientMac || !nas.school) return messagePage(request, reply, 'guestNeedsMac', 400);
    const principal: Principal = { kind: 'portal', mac: context.clientMac, ip: request.ip, nas: nas.address };
    return { context, nas, mac: context.clientMac, school: nas.school, principal };
  }

  async function form(request: FastifyRequest, reply: FastifyReply, place: Place, values: Partial<Static<typeof ASK_BODY>> = {}, error?: { key: keyof Messages; status: number }) {
    const { school } = place;
    const [teachers, settings] = await Promise.all([guests.teachers(place.principal, school), guests.settings(place.principal, school)]);
    return renderPage(request, reply, {
      template: 'portal/guest.eta', status: error?.status ?? 200, school: schoolOf(place.nas),
      data: {
        teachers, contactRequired: settings.contactRequired,
        values: { name: values.name ?? '', contact: values.contact ?? '', sponsor: values.sponsor ?? '', reason: values.reason ?? '' },
        error: error ? messagesOf(request)[error.key] : undefined,
      },
    });
  }

  async function release(request: FastifyRequest, reply: FastifyReply, place: Place, until: number) {
    const token = await app.store.tokens.mint({ mac: place.mac, nas: place.nas.address, role: GUEST_ROLE, school: place.school, until: String(until) });
    const released = dialectFor(place.context.vendor).release(place.context, token, place.nas);
    if (released.kind === 'controller') {
      await authorizeOnController(released.request, place.nas);
      const t = messagesOf(request);
      return renderPage(request, reply, { template: 'portal/message.eta', school: schoolOf(place.nas), data: { heading: t.statusHeading, message: t.connectingHint, continueUrl: released.then } });
    }
    return renderPage(request, reply, { template: 'portal/release.eta', school: schoolOf(place.nas), formAction: new URL(released.action).origin, data: { release: released } });
  }

  const waitUrl = (id: string, lang: string) => `/guest/wait?${new URLSearchParams({ id, lang }).toString()}`;

  app.get<{ Querystring: Static<typeof FORM_QUERY> }>('/guest', { schema: { querystring: FORM_QUERY } }, async (request, reply) => {
    const place = placeOf(request, reply);
    if (!('principal' in place)) return place;
    // Back after an approval (the captive window had closed): straight on to the hand-off.
    const approved = await guests.approvedFor(place.principal);
    return approved ? reply.redirect(waitUrl(approved, languageOf(request)), 303) : form(request, reply, place);
  });

  app.post<{ Body: Static<typeof ASK_BODY> }>('/guest', {
    schema: { body: ASK_BODY },
  }, async (request, reply) => {
    const body = request.body;
    const place = placeOf(request, reply);
    if (!('principal' in place)) return place;
    const settings = await guests.settings(place.principal, place.school);
    const teachers = await guests.teachers(place.principal, place.school);
    const missing: keyof Messages | undefined = !body.name?.trim() ? 'guestErrorName'
      : settings.contactRequired && !body.contact?.trim() ? 'guestErrorContact'
        : !teachers.some((teacher) => teacher.username === body.sponsor) ? 'guestErrorTeacher' : undefined;
    if (missing) {
      request.log.info({ mac: place.mac, nas: place.nas.address, reason: missing }, 'portal: guest request refused');
      return form(request, reply, place, body, { key: missing, status: 400 });
    }
    let outcome;
    try {
      outcome = await guests.ask(place.principal, {
        school: place.school, nas: place.nas.address, mac: place.mac, sponsor: body.sponsor!, name: body.name!,
        ...(body.contact ? { contact: body.contact } : {}), ...(body.reason ? { reason: body.reason } : {}),
      });
    } catch (error) {
      if (!isCodedError(error) || error.statusCode !== 400) throw error;
      return form(request, reply, place, body, { key: 'errorBadRequest', status: 400 });
    }
    if (outcome.ok) return reply.redirect(waitUrl(outcome.request.id, languageOf(request)), 303);
    if (outcome.refused === 'already-pending') return reply.redirect(waitUrl(outcome.id, languageOf(request)), 303);
    return form(request, reply, place, body, REFUSALS[outcome.refused]);
  });

  app.get<{ Querystring: Static<typeof WAIT_QUERY> }>('/guest/wait', { schema: { querystring: WAIT_QUERY } }, async (request, reply) => {
    const place = placeOf(request, reply);
    if (!('principal' in place)) return place;
    const guest = await guests.status(place.principal, request.query.id).catch((error: unknown) => {
      if (isCodedError(error) && error.statusCode === 404) return undefined;
      throw error;
    });
    if (!guest) return messagePage(request, reply, 'errorNotFound', 404);
    const t = messagesOf(request);
    const teachers: Teacher[] = await guests.teachers(place.principal, guest.school);
    const teacher = teachers.find((candidate) => candidate.username === guest.sponsor)?.name ?? guest.sponsor;
    const until = guest.until ? Date.parse(guest.until) : 0;
    if (guest.state === 'approved' && until > Date.now()) {
      request.log.info({ id: guest.id, mac: place.mac, nas: place.nas.address }, 'portal: guest approved, releasing');
      return release(request, reply, place, until);
    }
    const school = schoolOf(place.nas);
    const zone = school?.timezone ?? 'UTC';
    if (guest.state === 'pending') {
      void reply.header('refresh', String(GUEST_REFRESH_SECONDS));
      return renderPage(request, reply, {
        template: 'portal/guest-wait.eta', school, keep: { id: guest.id },
        data: { code: guest.id, teacher, message: fill(t.guestWaiting, { teacher }), asked: formatDateTime(languageOf(request), guest.createdAt, zone) },
      });
    }
    const ended = guest.state === 'approved' ? { heading: t.guestEndedHeading, message: t.guestEnded }
      : guest.state === 'denied' ? { heading: t.guestDeniedHeading, message: `${fill(t.guestDenied, { teacher })}${guest.denyReason ? ` ${fill(t.guestDeniedReason, { reason: guest.denyReason })}` : ''}` }
        : { heading: t.guestExpiredHeading, message: t.guestExpired };
    request.log.info({ id: guest.id, mac: place.mac, state: guest.state }, 'portal: guest request over');
    return renderPage(request, reply, { template: 'portal/message.eta', school, data: { ...ended, alert: true } });
  });
}
