// /console/accounts: the accounts in one's scope — create (a school admin only teachers of their
// school), disable or enable, reset a password (the account's sessions end with it) — and
// /console/password, where everyone changes their own (their other sessions end; this one is
// renewed). Scope is the account service's to check.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WRONG_CURRENT_PASSWORD } from '../../services/accounts.js';
import { CONSOLE_ROLES, MIN_CONSOLE_PASSWORD } from '../../store/accounts.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages, roleLabel } from '../render.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const LIST_QUERY = Type.Object({ school: FIELD(64), done: FIELD(32), who: Type.Optional(Type.String({ pattern: '^[\\w.@-]{1,64}$' })), lang: FIELD(8) });
const CREATE_BODY = Type.Object({ _csrf: FIELD(512), username: FIELD(64), name: FIELD(128), password: FIELD(256), role: FIELD(32), school: FIELD(64), lang: FIELD(8) });
const STATUS_BODY = Type.Object({ _csrf: FIELD(512), status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]), lang: FIELD(8) });
const PASSWORD_BODY = Type.Object({ _csrf: FIELD(512), password: FIELD(256), lang: FIELD(8) });
const OWN_PASSWORD_BODY = Type.Object({ _csrf: FIELD(512), current: FIELD(256), password: FIELD(256), lang: FIELD(8) });
const OWN_QUERY = Type.Object({ done: FIELD(32), lang: FIELD(8) });
const USERNAME = Type.Object({ username: Type.String({ maxLength: 64 }) });

const DONE = ['accountCreated', 'accountDisabledDone', 'accountEnabledDone', 'passwordResetDone'] as const;
const tooShort = (password: string) => [...password].length < MIN_CONSOLE_PASSWORD;

export function accountRoutes(app: FastifyInstance, kit: ConsoleKit) {
  async function accountsPage(request: FastifyRequest, reply: FastifyReply, options: { school?: string; status?: number; error?: FormError; notice?: string; form?: Record<string, string> } = {}) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const accounts = await kit.services.accounts.list(principal, options.school || undefined);
    const schools = await kit.services.schools.list(principal);
    const roles = (principal.kind === 'school-admin' ? ['teacher'] : [...CONSOLE_ROLES]).map((role) => ({ value: role, label: roleLabel(role, t) }));
    return kit.render(request, reply, {
      template: 'console/accounts.eta',
      status: options.status ?? 200,
      title: t.navAccounts,
      data: {
        accounts: accounts.map((account) => ({ ...account, roleLabel: roleLabel(account.role, t), self: account.username === request.signedIn!.account.username })),
        schools,
        school: options.school ?? '',
        regionWide: principal.kind === 'region-admin',
        roles,
        error: options.error,
        notice: options.notice,
        form: { username: '', name: '', role: 'teacher', school: options.school ?? '', ...options.form },
        minPassword: MIN_CONSOLE_PASSWORD,
      },
    });
  }

  const back = (username: string, done: string) => `/console/accounts?${new URLSearchParams({ done, who: username }).toString()}`;

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/accounts', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const t = consoleMessages(request);
    return accountsPage(request, reply, { school: request.query.school, notice: notice(request.query.done, DONE, t, { username: request.query.who ?? '' }) });
  });

  app.post<{ Body: Static<typeof CREATE_BODY> }>('/accounts', { schema: { body: CREATE_BODY } }, async (request, reply) => {
    const body = request.body;
    const t = consoleMessages(request);
    const form = { username: body.username ?? '', name: body.name ?? '', role: body.role ?? 'teacher', school: body.school ?? '' };
    if (tooShort(body.password ?? '')) return accountsPage(request, reply, { status: 400, error: { message: t.errorPasswordShort }, form });
    try {
      const created = await kit.services.accounts.create(request.signedIn!.principal, {
        username: form.username, password: body.password ?? '', role: form.role,
        ...(form.name ? { name: form.name } : {}), ...(form.school && form.role !== 'region-admin' ? { school: form.school } : {}),
      });
      return reply.redirect(back(created.username, 'accountCreated'), 303);
    } catch (error) {
      return accountsPage(request, reply, { status: 400, error: formError(error, t, request.log), form });
    }
  });

  app.post<{ Params: Static<typeof USERNAME>; Body: Static<typeof STATUS_BODY> }>('/accounts/:username/status', { schema: { params: USERNAME, body: STATUS_BODY } }, async (request, reply) => {
    const t = consoleMessages(request);
    let changed;
    try {
      changed = await kit.services.accounts.setStatus(request.signedIn!.principal, request.params.username, request.body.status);
    } catch (error) {
      return accountsPage(request, reply, { status: 400, error: formError(error, t, request.log) });
    }
    // The gate refuses a disabled account at its next request anyway; this clears its sessions now.
    if (changed.status === 'disabled') await kit.sessions.endAll(changed.username);
    return reply.redirect(back(changed.username, changed.status === 'disabled' ? 'accountDisabledDone' : 'accountEnabledDone'), 303);
  });

  app.post<{ Params: Static<typeof USERNAME>; Body: Static<typeof PASSWORD_BODY> }>('/accounts/:username/password', { schema: { params: USERNAME, body: PASSWORD_BODY } }, async (request, reply) => {
    const t = consoleMessages(request);
    const password = request.body.password ?? '';
    if (tooShort(password)) return accountsPage(request, reply, { status: 400, error: { message: t.errorPasswordShort } });
    let result;
    try {
      result = await kit.services.accounts.resetPassword(request.signedIn!.principal, request.params.username, password);
    } catch (error) {
      return accountsPage(request, reply, { status: 400, error: formError(error, t, request.log) });
    }
    await kit.sessions.endAll(result.username);
    return reply.redirect(back(result.username, 'passwordResetDone'), 303);
  });

  function passwordPage(request: FastifyRequest, reply: FastifyReply, options: { status?: number; error?: FormError; notice?: string } = {}) {
    const t = consoleMessages(request);
    return kit.render(request, reply, { template: 'console/password.eta', status: options.status ?? 200, title: t.changeOwnPassword, data: { ...options, minPassword: MIN_CONSOLE_PASSWORD } });
  }

  app.get<{ Querystring: Static<typeof OWN_QUERY> }>('/password', { schema: { querystring: OWN_QUERY } }, async (request, reply) => {
    const t = consoleMessages(request);
    return passwordPage(request, reply, { notice: request.query.done === 'changed' ? t.ownPasswordChanged : undefined });
  });

  app.post<{ Body: Static<typeof OWN_PASSWORD_BODY> }>('/password', { schema: { body: OWN_PASSWORD_BODY } }, async (request, reply) => {
    const t = consoleMessages(request);
    const { account, principal } = request.signedIn!;
    const next = request.body.password ?? '';
    if (tooShort(next)) return passwordPage(request, reply, { status: 400, error: { message: t.errorPasswordShort } });
    try {
      await kit.services.accounts.changeOwnPassword(principal, request.body.current ?? '', next);
    } catch (error) {
      const wrongCurrent = (error as { message?: string }).message === WRONG_CURRENT_PASSWORD;
      return passwordPage(request, reply, { status: 400, error: wrongCurrent ? { message: t.errorCurrentPassword } : formError(error, t, request.log) });
    }
    // Every session began before the change and is now refused; this browser gets a new one.
    const ended = await kit.sessions.endAll(account.username);
    kit.gate.begin(reply, await kit.sessions.start(account.username));
    request.log.info({ user: account.username, source: request.ip, sessionsEnded: ended - 1 }, 'console: own password changed, other sessions ended');
    return reply.redirect('/console/password?done=changed', 303);
  });
}
