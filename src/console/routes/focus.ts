// /console/focus (teachers of the school, school and region admins), made for a phone in class:
// the running focuses with a Stop button each, and a short form to start one for a class (a
// group), the devices on chosen access points, or listed students, for some minutes with the
// sites that stay open. The service checks scope; the resolver applies it within a second.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCodedError } from '../../errors.js';
import { fill } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const LIST_QUERY = Type.Object({ done: FIELD(32), school: FIELD(63), lang: FIELD(8) });
// Access points come as one field per ticked box: an array of strings (the only repeated field).
const START_BODY = Type.Object({
  _csrf: FIELD(512), school: FIELD(63), name: FIELD(80), group: FIELD(63), nas: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })])),
  users: FIELD(10_000), minutes: FIELD(4), allow: FIELD(2000), lang: FIELD(8),
});
const STOP_BODY = Type.Object({ _csrf: FIELD(512), id: Type.String({ maxLength: 32 }), lang: FIELD(8) });
const NOTICES = ['focusStarted', 'focusStopped'] as const;
type StartBody = Static<typeof START_BODY>;

const commaList = (value: string | undefined) => (value ?? '').split(/[,\s]+/).map((entry) => entry.trim()).filter(Boolean);

/** A time of day in the school's zone ("10:45"): what a class reads on the board. */
export function timeOfDay(language: string, at: number, timeZone: string): string {
  return new Intl.DateTimeFormat(language, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
}

export function focusRoutes(app: FastifyInstance, kit: ConsoleKit) {
  async function page(request: FastifyRequest, reply: FastifyReply, form: Partial<StartBody> = {}, error?: FormError) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const query: Static<typeof LIST_QUERY> = request.method === 'GET' ? (request.query as Static<typeof LIST_QUERY>) : {};
    const schools = await kit.services.schools.list(principal);
    const school = form.school ?? query.school ?? (principal.kind === 'region-admin' ? schools[0]?.id : undefined);
    const zone = (id: string) => schools.find((candidate) => candidate.id === id)?.timezone ?? DEFAULT_TIMEZONE;
    const running = await kit.services.focus.list(principal);
    const choices = school || principal.kind !== 'region-admin' ? await kit.services.focus.choices(principal, school) : { school: '', groups: [], nas: [] };
    const ticked = new Set(Array.isArray(form.nas) ? form.nas : form.nas ? [form.nas] : []);
    return kit.render(request, reply, {
      template: 'console/focus.eta',
      status: error ? 400 : 200,
      title: t.navFocus,
      data: {
        running: running.map((focus) => ({
          id: focus.id, name: focus.name, school: focus.school, allow: focus.allow.join(', '), until: timeOfDay(language, focus.until, zone(focus.school)),
          who: focus.group ?? (focus.nas.length ? focus.nas.join(', ') : fill(t.focusStudentsCount, { count: String(focus.users.length) })),
        })),
        schools: principal.kind === 'region-admin' ? schools : [],
        choices: { ...choices, nas: choices.nas.map((point) => ({ ...point, ticked: ticked.has(point.address) })) },
        form: { school: choices.school, name: form.name ?? '', group: form.group ?? '', users: form.users ?? '', minutes: form.minutes ?? '45', allow: form.allow ?? '' },
        error,
        notice: notice(query.done, NOTICES, t, {}),
      },
    });
  }

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/focus', { schema: { querystring: LIST_QUERY } }, async (request, reply) => page(request, reply));

  app.post<{ Body: StartBody }>('/focus', { schema: { body: START_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const body = request.body;
    const t = consoleMessages(request);
    try {
      const minutes = Number(body.minutes);
      await kit.services.focus.start(principal, {
        ...(body.school ? { school: body.school } : {}),
        nas: Array.isArray(body.nas) ? body.nas : commaList(body.nas),
        ...(body.group ? { group: body.group } : {}),
        users: commaList(body.users),
        ...(Number.isInteger(minutes) ? { minutes } : {}),
        allow: commaList(body.allow),
        ...(body.name?.trim() ? { name: body.name } : {}),
      });
    } catch (error) {
      if (isCodedError(error) && error.code === 'MK_ERR_NOT_FOUND') return page(request, reply, body, { message: t.errorCheckInput, detail: error.message });
      return page(request, reply, body, formError(error, t, request.log));
    }
    return reply.redirect('/console/focus?done=focusStarted', 303);
  });

  app.post<{ Body: Static<typeof STOP_BODY> }>('/focus/stop', { schema: { body: STOP_BODY } }, async (request, reply) => {
    await kit.services.focus.stop(request.signedIn!.principal, request.body.id);
    return reply.redirect('/console/focus?done=focusStopped', 303);
  });
}
