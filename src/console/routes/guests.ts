// /console/guests: the guest requests the signed-in person may decide (a teacher: those addressed
// to them; a school admin: the school's; a region admin: all), as cards that read well on a phone.
// Approve for 1 h, 2 h, until the end of the school day or a custom time up to the school's
// maximum; decline with an optional reason the guest sees. Students' site requests from the
// block page wait in the same list, newest first, marked as such (./site-requests.ts).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../errors.js';
import { formatDateTime } from '../../i18n/format.js';
import { fill } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import type { GuestState } from '../../store/guests.js';
import { GUEST_SETTING_NAMES } from '../../store/guest-settings.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';
import { SITE_NOTICES, siteRequestCards } from './site-requests.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const STATES = ['pending', 'approved', 'denied', 'expired'] as const;
const STATE_LABELS = { pending: 'guestsStatePending', approved: 'guestsStateApproved', denied: 'guestsStateDenied', expired: 'guestsStateExpired' } as const;
const LIST_QUERY = Type.Object({ state: Type.Optional(Type.Union(STATES.map((state) => Type.Literal(state)))), done: FIELD(32), who: FIELD(16), until: FIELD(8), lang: FIELD(8) });
const APPROVE_BODY = Type.Object({
  _csrf: FIELD(512), id: Type.String({ maxLength: 16 }), lang: FIELD(8),
  duration: Type.Union([Type.Literal('1h'), Type.Literal('2h'), Type.Literal('school-day'), Type.Literal('custom')]), custom: FIELD(16),
});
const DENY_BODY = Type.Object({ _csrf: FIELD(512), id: Type.String({ maxLength: 16 }), reason: FIELD(300), lang: FIELD(8) });
const NOTICES = ['guestsApproved', 'guestsDenied', ...SITE_NOTICES] as const;
const SETTINGS_QUERY = Type.Object({ school: FIELD(63), done: FIELD(32), lang: FIELD(8) });
const SETTINGS_BODY = Type.Object({ _csrf: FIELD(512), school: FIELD(63), lang: FIELD(8), ...Object.fromEntries(GUEST_SETTING_NAMES.map((name) => [name, FIELD(8)])) });

const SETTING_LABELS = {
  pendingMinutes: 'guestsSetPending', contactRequired: 'guestsSetContact', devicePerHour: 'guestsSetDevice', schoolPerHour: 'guestsSetSchool',
  deniedPauseMinutes: 'guestsSetPause', maxApprovalHours: 'guestsSetMax', schoolDayEnd: 'guestsSetDayEnd', retentionDays: 'guestsSetRetention',
} as const;

/** Teachers decide requests; the rules are a school admin's or a region admin's. */
function allowManagers(request: FastifyRequest): void {
  if (request.signedIn!.principal.kind === 'teacher') throw new ForbiddenError('a teacher may not change guest settings');
}

export function guestRoutes(app: FastifyInstance, kit: ConsoleKit) {
  async function page(request: FastifyRequest, reply: FastifyReply, state: GuestState, extra: { error?: FormError; failedId?: string; done?: string; who?: string; until?: string; status?: number } = {}) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const schools = new Map((await kit.services.schools.list(principal)).map((school) => [school.id, school]));
    const requests = await kit.services.guests.list(principal, state);
    const settings = new Map<string, Awaited<ReturnType<typeof kit.services.guests.settings>>>();
    const teachers = new Map<string, string>();
    for (const school of new Set(requests.map((request) => request.school))) {
      settings.set(school, await kit.services.guests.settings(principal, school));
      for (const teacher of await kit.services.guests.teachers(principal, school)) teachers.set(teacher.username, teacher.name);
    }
    const zone = (school: string) => schools.get(school)?.timezone ?? DEFAULT_TIMEZONE;
    const sites = await siteRequestCards(kit, request, principal, state, schools, t);
    const guests = requests.map((guest) => ({
      kind: 'guest' as const, at: Date.parse(guest.createdAt),
      id: guest.id, name: guest.name, contact: guest.contact ?? '—', reason: guest.reason ?? '—', sponsor: teachers.get(guest.sponsor) ?? guest.sponsor, mac: guest.mac,
      school: schools.get(guest.school)?.name ?? guest.school, pending: guest.state === 'pending',
      asked: formatDateTime(language, guest.createdAt, zone(guest.school)),
      until: guest.until ? formatDateTime(language, guest.until, zone(guest.school)) : undefined,
      denyReason: guest.denyReason,
      schoolDay: fill(t.guestsSchoolDay, { time: settings.get(guest.school)?.schoolDayEnd ?? '' }),
      custom: fill(t.guestsCustom, { max: String(settings.get(guest.school)?.maxApprovalHours ?? '') }),
      error: extra.failedId === guest.id ? extra.error : undefined,
    }));
    return kit.render(request, reply, {
      template: 'console/guests.eta',
      title: t.navGuests,
      status: extra.status ?? 200,
      data: {
        state,
        states: STATES.map((value) => ({ value, label: t[STATE_LABELS[value]], current: value === state })),
        requests: [...guests, ...sites].sort((a, b) => b.at - a.at),
        notice: notice(extra.done, NOTICES, t, { code: extra.who ?? '', time: extra.until ?? '' }),
        canConfigure: principal.kind !== 'teacher',
      },
    });
  }

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/guests', { schema: { querystring: LIST_QUERY } }, async (request, reply) =>
    page(request, reply, request.query.state ?? 'pending', { ...(request.query.done ? { done: request.query.done } : {}), ...(request.query.who ? { who: request.query.who } : {}), ...(request.query.until ? { until: request.query.until } : {}) }));

  async function settingsPage(request: FastifyRequest, reply: FastifyReply, school: string | undefined, extra: { error?: FormError; done?: string; status?: number } = {}) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const schools = await kit.services.schools.list(principal);
    const chosen = principal.kind === 'school-admin' ? principal.school : (school || schools[0]?.id);
    const settings = chosen ? await kit.services.guests.settings(principal, chosen) : undefined;
    return kit.render(request, reply, {
      template: 'console/guests-settings.eta', title: t.guestsSettings, status: extra.status ?? 200,
      data: {
        school: chosen, schools: principal.kind === 'region-admin' ? schools : [], error: extra.error,
        settings: settings && GUEST_SETTING_NAMES.map((name) => ({ name, label: t[SETTING_LABELS[name]], value: String(settings[name]) })),
        notice: notice(extra.done, ['guestsSettingsSaved'], t, {}),
      },
    });
  }

  app.get<{ Querystring: Static<typeof SETTINGS_QUERY> }>('/guests/settings', { schema: { querystring: SETTINGS_QUERY } }, async (request, reply) => {
    allowManagers(request);
    return settingsPage(request, reply, request.query.school, { ...(request.query.done ? { done: request.query.done } : {}) });
  });

  app.post<{ Body: Static<typeof SETTINGS_BODY> }>('/guests/settings', { schema: { body: SETTINGS_BODY } }, async (request, reply) => {
    allowManagers(request);
    const { principal } = request.signedIn!;
    const body = request.body as Record<string, string | undefined>;
    const school = principal.kind === 'school-admin' ? principal.school : (body.school ?? '');
    const changes = Object.fromEntries(GUEST_SETTING_NAMES.filter((name) => body[name] !== undefined).map((name) => [name, body[name]!]));
    try {
      await kit.services.guests.configure(principal, school, changes);
    } catch (error) {
      return settingsPage(request, reply, school, { error: formError(error, consoleMessages(request), request.log), status: 400 });
    }
    return reply.redirect(`/console/guests/settings?${new URLSearchParams({ school, done: 'guestsSettingsSaved' }).toString()}`, 303);
  });

  app.post<{ Body: Static<typeof APPROVE_BODY> }>('/guests/approve', { schema: { body: APPROVE_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const body = request.body;
    try {
      const guest = await kit.services.guests.approve(principal, body.id, body.duration === 'custom' ? (body.custom ?? '') : body.duration);
      return reply.redirect(`/console/guests?${new URLSearchParams({ done: 'guestsApproved', who: guest.id }).toString()}`, 303);
    } catch (error) {
      return page(request, reply, 'pending', { error: formError(error, consoleMessages(request), request.log), failedId: body.id.toUpperCase(), status: 400 });
    }
  });

  app.post<{ Body: Static<typeof DENY_BODY> }>('/guests/deny', { schema: { body: DENY_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const guest = await kit.services.guests.deny(principal, request.body.id, request.body.reason).catch((error: unknown) => ({ error }));
    if ('error' in guest) return page(request, reply, 'pending', { error: formError(guest.error, consoleMessages(request), request.log), failedId: request.body.id.toUpperCase(), status: 400 });
    return reply.redirect(`/console/guests?${new URLSearchParams({ done: 'guestsDenied', who: guest.id }).toString()}`, 303);
  });
}
