// /console/policies (region and school admins; teachers get a 403): every field of a role's
// policy, globally or as a school's override — a school admin edits only their school's override
// and reads the global values — with the effective value and where it comes from, the attributes
// each vendor is sent for it, and a save that is applied live (CoA, or Disconnect where the
// vendor cannot) and reports how every live session took it.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EnforcementResult } from '../../enforcement/enforcer.js';
import { ForbiddenError } from '../../errors.js';
import { fill, type Messages } from '../../i18n/languages.js';
import { vendorPreviews } from '../../services/policies.js';
import { formError, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { FLAG_NAMES, policyRows, readPolicyForm } from '../policy-form.js';
import { consoleMessages } from '../render.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const COUNT = Type.Optional(Type.String({ pattern: '^\\d{1,7}$' }));
const QUERY = Type.Object({ role: FIELD(63), school: FIELD(63), done: FIELD(16), total: COUNT, updated: COUNT, disconnected: COUNT, nak: COUNT, timeout: COUNT, lang: FIELD(8) });
const BODY = Type.Object({ _csrf: FIELD(512), role: Type.String({ maxLength: 63 }), school: FIELD(63), lang: FIELD(8), ...Object.fromEntries(FLAG_NAMES.map((flag) => [flag, FIELD(400)])) });
type Body = Static<typeof BODY> & Record<string, string | undefined>;

/** Label of each field, by its CLI flag name. */
const LABELS: Record<string, keyof Messages> = {
  down: 'policyDown', up: 'policyUp', 'burst-down': 'policyBurstDown', 'burst-up': 'policyBurstUp', 'burst-time': 'policyBurstTime',
  'session-timeout': 'policySessionTimeout', 'idle-timeout': 'policyIdleTimeout', interim: 'policyInterim', 'daily-quota': 'policyDailyQuota',
  'monthly-quota': 'policyMonthlyQuota', schedule: 'policySchedule', 'max-devices': 'policyMaxDevices', 'device-limit-mode': 'policyDeviceLimitMode',
  'content-profile': 'policyContentProfile', vlan: 'policyVlan', 'filter-id': 'policyFilterId', remember: 'policyRemember', 'remember-by-default': 'policyRememberByDefault',
};
const EXAMPLES: Record<string, string> = {
  down: '5M, 5Mbit/s', up: '1M, 512k', 'burst-down': '8M', 'burst-up': '2M', 'burst-time': '10s', 'session-timeout': '8h', 'idle-timeout': '15m', interim: '5m',
  'daily-quota': '2GB', 'monthly-quota': '40GB', schedule: 'mon-fri 08:00-17:00', 'max-devices': '2', 'device-limit-mode': 'refuse, evict-oldest',
  'content-profile': 'students', vlan: '120', 'filter-id': 'students-acl', remember: '7d', 'remember-by-default': 'yes, no',
};

/** How the live sessions took a change, as counts for the notice after the redirect. */
export function outcomeCounts(sessions: EnforcementResult[]): Record<'total' | 'updated' | 'disconnected' | 'nak' | 'timeout', number> {
  const acked = (action: EnforcementResult['action']) => sessions.filter((result) => result.action === action && result.outcome === 'ack').length;
  return {
    total: sessions.length,
    updated: acked('coa'),
    disconnected: acked('disconnect'),
    nak: sessions.filter((result) => result.outcome === 'nak').length,
    // No answer in time, or no NAS to send it to: either way the session was not reached.
    timeout: sessions.filter((result) => result.outcome === 'timeout' || result.outcome === 'unknown-nas').length,
  };
}

interface PageOptions {
  role?: string | undefined;
  school?: string | undefined;
  status?: number;
  error?: FormError;
  notice?: string[];
  typed?: Record<string, string | undefined>;
  problems?: Record<string, string>;
}

export function policyRoutes(app: FastifyInstance, kit: ConsoleKit) {
  function scopeOf(request: FastifyRequest, named: string | undefined): string | undefined {
    const { principal } = request.signedIn!;
    if (principal.kind === 'teacher') throw new ForbiddenError('a teacher may not read policies');
    // A school admin's page is always their school's override; the service refuses another school.
    return principal.kind === 'school-admin' ? (named || principal.school) : named || undefined;
  }

  async function page(request: FastifyRequest, reply: FastifyReply, options: PageOptions) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const school = scopeOf(request, options.school);
    const roles = (await kit.services.policies.view(principal)).map((view) => view.role);
    const role = options.role && roles.includes(options.role) ? options.role : roles.includes('student') ? 'student' : roles[0]!;
    const [global] = await kit.services.policies.view(principal, role);
    const [view] = school === undefined ? [global!] : await kit.services.policies.view(principal, role, school);
    const rows = policyRows(global!.effective, view!.effective, view!.overridden, school).map((row) => ({
      ...row,
      label: t[LABELS[row.flag]!],
      example: EXAMPLES[row.flag],
      value: options.typed?.[row.flag] ?? row.own,
      problem: options.problems?.[row.flag],
      sourceLabel: row.source === 'override' ? t.policyFromOverride : row.source === 'global' ? t.policyFromGlobal : t.policyNoLimit,
    }));
    const schools = principal.kind === 'region-admin' ? await kit.services.schools.list(principal) : [];
    return kit.render(request, reply, {
      template: 'console/policies.eta',
      status: options.status ?? 200,
      title: t.navPolicies,
      data: {
        roles, role, school: school ?? '', schools, rows,
        editsGlobal: school === undefined,
        regionWide: principal.kind === 'region-admin',
        previews: vendorPreviews(role, view!.effective),
        error: options.error, notice: options.notice,
      },
    });
  }

  app.get<{ Querystring: Static<typeof QUERY> }>('/policies', { schema: { querystring: QUERY } }, async (request, reply) => {
    const { query } = request;
    const t = consoleMessages(request);
    const counts = { total: query.total ?? '0', updated: query.updated ?? '0', disconnected: query.disconnected ?? '0', nak: query.nak ?? '0', timeout: query.timeout ?? '0' };
    const notice = query.done === 'saved'
      ? [fill(t.policySaved, { role: query.role ?? '' }), counts.total === '0' ? t.policyNoSessions : fill(t.policyApplied, counts)]
      : undefined;
    return page(request, reply, { role: query.role, school: query.school, notice });
  });

  app.post<{ Body: Body }>('/policies', { schema: { body: BODY } }, async (request, reply) => {
    const body = request.body;
    const t = consoleMessages(request);
    const school = scopeOf(request, body.school);
    const { principal } = request.signedIn!;
    const [global] = await kit.services.policies.view(principal, body.role);
    const [view] = school === undefined ? [global!] : await kit.services.policies.view(principal, body.role, school);
    const change = readPolicyForm(body, policyRows(global!.effective, view!.effective, view!.overridden, school));
    const again = (status: number, error: FormError, problems?: Record<string, string>) => page(request, reply, { role: body.role, school, status, error, typed: body, ...(problems ? { problems } : {}) });
    if (Object.keys(change.problems).length > 0) {
      request.log.info({ code: 'MK_ERR_VALIDATION', reason: change.problems }, 'console: form refused');
      return again(400, { message: t.errorCheckInput }, change.problems);
    }
    if (Object.keys(change.fields).length === 0 && change.clear.length === 0) return again(400, { message: t.policyNothingChanged });
    let result;
    try {
      result = await kit.services.policies.set(principal, body.role, school, change.fields, change.clear);
    } catch (error) {
      return again(400, formError(error, t, request.log));
    }
    const counts = outcomeCounts(result.sessions);
    request.log.info({ actor: request.signedIn!.account.username, role: body.role, school, ...counts }, 'console: policy saved and applied');
    const query = new URLSearchParams({ role: body.role, ...(school && principal.kind === 'region-admin' ? { school } : {}), done: 'saved', ...Object.fromEntries(Object.entries(counts).map(([key, value]) => [key, String(value)])) });
    return reply.redirect(`/console/policies?${query.toString()}`, 303);
  });
}
