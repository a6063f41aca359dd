// /console/users (region and school admins): Wi-Fi users in one's scope — search by username or
// name, role and (region admins) school, a page at a time; add one (a generated password shown
// once), disable or enable (a disabled user's live sessions are disconnected at once, and the
// page says how many), reset a password (shown once), set or clear the expiry; export as CSV.
// The import lives in user-import.ts. The user service checks every scope.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../errors.js';
import { formatDate } from '../../i18n/format.js';
import { fill } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import type { Principal } from '../../services/principal.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { usersCsv } from '../csv-export.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { pageOf } from '../paging.js';
import { consoleMessages } from '../render.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const COUNT = Type.Optional(Type.String({ pattern: '^\\d{1,7}$' }));
const FILTER = { q: FIELD(100), role: FIELD(63), school: FIELD(63) };
const LIST_QUERY = Type.Object({ ...FILTER, page: COUNT, done: FIELD(32), who: Type.Optional(Type.String({ pattern: '^[\\w.@-]{1,64}$' })), ended: COUNT, unconfirmed: COUNT, lang: FIELD(8) });
const EXPORT_QUERY = Type.Object({ ...FILTER, lang: FIELD(8) });
const ADD_BODY = Type.Object({ _csrf: FIELD(512), username: FIELD(64), name: FIELD(200), role: FIELD(63), school: FIELD(63), expires: FIELD(10), lang: FIELD(8) });
const STATUS_BODY = Type.Object({ _csrf: FIELD(512), status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]), lang: FIELD(8) });
const PLAIN_BODY = Type.Object({ _csrf: FIELD(512), lang: FIELD(8) });
const EXPIRY_BODY = Type.Object({ _csrf: FIELD(512), expires: FIELD(10), clear: FIELD(1), lang: FIELD(8) });
const USERNAME = Type.Object({ username: Type.String({ maxLength: 64 }) });
type Filter = { q?: string | undefined; role?: string | undefined; school?: string | undefined };

const DONE = ['userDisabledDone', 'userEnabledDone', 'userExpirySet', 'userExpiryCleared'] as const;

/** The filter's non-empty fields, for links that keep it. */
function filterParams(filter: Filter): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(filter)) if (value) params[name] = value;
  return params;
}

function managersOnly(principal: Principal): void {
  if (principal.kind === 'teacher') throw new ForbiddenError('a teacher may not manage Wi-Fi users');
}

export function userRoutes(app: FastifyInstance, kit: ConsoleKit) {
  async function listed(principal: Principal, filter: Filter) {
    return kit.services.users.list(principal, { ...(filter.q ? { search: filter.q } : {}), ...(filter.role ? { role: filter.role } : {}), ...(filter.school ? { school: filter.school } : {}) });
  }

  async function usersPage(request: FastifyRequest, reply: FastifyReply, options: { filter?: Filter; page?: number; status?: number; error?: FormError; notice?: string; shownOnce?: { username: string; password: string }; form?: Record<string, string> } = {}) {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const t = consoleMessages(request);
    const lang = languageOf(request);
    const filter = options.filter ?? {};
    const paged = pageOf(await listed(principal, filter), options.page ?? 1);
    const schools = await kit.services.schools.list(principal);
    const zoneOf = new Map(schools.map((school) => [school.id, school.timezone]));
    const rows = paged.rows.map((user) => ({
      ...user,
      expiresShown: user.expiresAt ? formatDate(lang, user.expiresAt, zoneOf.get(user.school ?? '') ?? DEFAULT_TIMEZONE) : '',
      expiresValue: user.expiresAt?.slice(0, 10) ?? '',
    }));
    const query = (page: number) => `/console/users?${new URLSearchParams({ ...filterParams(filter), page: String(page) }).toString()}`;
    return kit.render(request, reply, {
      template: 'console/users.eta',
      status: options.status ?? 200,
      title: t.navUsers,
      data: {
        rows, filter: { q: filter.q ?? '', role: filter.role ?? '', school: filter.school ?? '' },
        paging: { ...paged, rows: undefined, previous: paged.page > 1 ? query(paged.page - 1) : undefined, next: paged.page < paged.pages ? query(paged.page + 1) : undefined },
        pageOf: fill(t.userPageOf, { page: String(paged.page), pages: String(paged.pages), total: String(paged.total) }),
        exportHref: `/console/users/export.csv?${new URLSearchParams(filterParams(filter)).toString()}`,
        roles: await kit.services.schools.listRoles(principal),
        schools,
        regionWide: principal.kind === 'region-admin',
        error: options.error, notice: options.notice, shownOnce: options.shownOnce,
        form: { username: '', name: '', role: 'student', school: '', expires: '', ...options.form },
      },
    });
  }

  const back = (username: string, done: string, extra: Record<string, string> = {}) => `/console/users?${new URLSearchParams({ q: username, done, who: username, ...extra }).toString()}`;

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/users', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const { q, role, school, page, done, who, ended, unconfirmed } = request.query;
    const t = consoleMessages(request);
    let shown = notice(done, DONE, t, { username: who ?? '', ended: ended ?? '0' });
    if (shown && done === 'userDisabledDone' && unconfirmed && unconfirmed !== '0') shown = `${shown} ${fill(t.userSessionsUnconfirmed, { count: unconfirmed })}`;
    return usersPage(request, reply, { filter: { q, role, school }, page: Number(page ?? 1), notice: shown });
  });

  app.get<{ Querystring: Static<typeof EXPORT_QUERY> }>('/users/export.csv', { schema: { querystring: EXPORT_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const users = await listed(principal, request.query);
    request.log.info({ actor: request.signedIn!.account.username, users: users.length, school: request.query.school }, 'console: users exported');
    const day = new Date().toISOString().slice(0, 10);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="users-${day}.csv"`).header('cache-control', 'no-store')
      .send(usersCsv(users, languageOf(request)));
  });

  app.post<{ Body: Static<typeof ADD_BODY> }>('/users', { schema: { body: ADD_BODY } }, async (request, reply) => {
    const body = request.body;
    const t = consoleMessages(request);
    const form = { username: body.username ?? '', name: body.name ?? '', role: body.role ?? '', school: body.school ?? '', expires: body.expires ?? '' };
    try {
      const added = await kit.services.users.add(request.signedIn!.principal, {
        username: form.username, role: form.role,
        ...(form.name ? { name: form.name } : {}), ...(form.school ? { school: form.school } : {}), ...(form.expires ? { expiresAt: form.expires } : {}),
      });
      return usersPage(request, reply, { filter: { q: added.username }, notice: fill(t.userAdded, { username: added.username }), shownOnce: { username: added.username, password: added.generatedPassword! } });
    } catch (error) {
      return usersPage(request, reply, { status: 400, error: formError(error, t, request.log), form });
    }
  });

  app.post<{ Params: Static<typeof USERNAME>; Body: Static<typeof STATUS_BODY> }>('/users/:username/status', { schema: { params: USERNAME, body: STATUS_BODY } }, async (request, reply) => {
    const changed = await kit.services.users.setStatus(request.signedIn!.principal, request.params.username, request.body.status);
    if (changed.status === 'active') return reply.redirect(back(changed.username, 'userEnabledDone'), 303);
    const sessions = changed.sessions ?? [];
    const ended = sessions.filter((result) => result.outcome === 'ack').length;
    return reply.redirect(back(changed.username, 'userDisabledDone', { ended: String(ended), unconfirmed: String(sessions.length - ended) }), 303);
  });

  app.post<{ Params: Static<typeof USERNAME>; Body: Static<typeof PLAIN_BODY> }>('/users/:username/password', { schema: { params: USERNAME, body: PLAIN_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const reset = await kit.services.users.resetPassword(principal, request.params.username);
    return usersPage(request, reply, { filter: { q: reset.username }, notice: fill(t.userPasswordReset, { username: reset.username }), shownOnce: { username: reset.username, password: reset.generatedPassword! } });
  });

  app.post<{ Params: Static<typeof USERNAME>; Body: Static<typeof EXPIRY_BODY> }>('/users/:username/expiry', { schema: { params: USERNAME, body: EXPIRY_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const clear = request.body.clear === '1' || !request.body.expires;
    try {
      const user = await kit.services.users.setExpiry(principal, request.params.username, clear ? null : request.body.expires!);
      return reply.redirect(back(user.username, clear ? 'userExpiryCleared' : 'userExpirySet'), 303);
    } catch (error) {
      return usersPage(request, reply, { filter: { q: request.params.username }, status: 400, error: formError(error, t, request.log) });
    }
  });
}
