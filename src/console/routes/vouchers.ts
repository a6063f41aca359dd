// /console/vouchers (every account; a teacher: guest vouchers within the school's maximum, and
// only the batches they issued): issue a batch, the batches with their note and used/unused
// counts, revoke a batch (its live sessions are disconnected), and the printable sheet:
// /console/vouchers/print?batch=<id>, eight cards to an A4 page (print CSS hides the console
// around them), each with the school, the Wi-Fi name, the code, the duration and a QR code that
// joins the network.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCodedError, ValidationError } from '../../errors.js';
import { formatDate, formatDateTime, formatDuration } from '../../i18n/format.js';
import { fill } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import { parseDuration } from '../../policy/units.js';
import { confinedTo } from '../../services/principal.js';
import { DEFAULT_TEACHER_VOUCHER_MAX_SECONDS, endOfDayIn } from '../../services/vouchers.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';
import { qrDrawing, wifiJoinText } from '../wifi-qr.js';

/** Cards per printed A4 page: two columns of four. */
export const CARDS_PER_SHEET = 8;

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const LIST_QUERY = Type.Object({ done: FIELD(32), who: FIELD(8), sessions: FIELD(8), lang: FIELD(8) });
const ISSUE_BODY = Type.Object({
  _csrf: FIELD(512), role: FIELD(63), school: FIELD(63), count: FIELD(8), duration: FIELD(40), uses: FIELD(8), validUntil: FIELD(10), note: FIELD(200), lang: FIELD(8),
});
const REVOKE_BODY = Type.Object({ _csrf: FIELD(512), target: Type.String({ maxLength: 64 }), lang: FIELD(8) });
const PRINT_QUERY = Type.Object({ batch: Type.String({ maxLength: 64 }), lang: FIELD(8) });
const NOTICES = ['vouchersIssued', 'vouchersRevokedNotice'] as const;
type IssueBody = Static<typeof ISSUE_BODY>;

const whole = (value: string | undefined, what: string): number => {
  if (!value || !/^\d{1,4}$/.test(value.trim())) throw new ValidationError(`${what} must be a whole number`);
  return Number(value.trim());
};

export function voucherRoutes(app: FastifyInstance, kit: ConsoleKit) {
  const zoneOf = async (principal: Parameters<typeof kit.services.schools.list>[0], school: string | undefined) =>
    (await kit.services.schools.list(principal)).find((candidate) => candidate.id === school)?.timezone ?? DEFAULT_TIMEZONE;

  async function page(request: FastifyRequest, reply: FastifyReply, form: Partial<IssueBody> = {}, error?: FormError) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    // After a redirect the notice is named in the query; a form post re-rendered has none.
    const query: Static<typeof LIST_QUERY> = request.method === 'GET' ? (request.query as Static<typeof LIST_QUERY>) : {};
    const schools = await kit.services.schools.list(principal);
    const zone = (id: string | undefined) => schools.find((school) => school.id === id)?.timezone ?? DEFAULT_TIMEZONE;
    const batches = await kit.services.vouchers.batches(principal);
    const teacherMax = principal.kind === 'teacher' ? (schools[0]?.voucherMax ?? DEFAULT_TEACHER_VOUCHER_MAX_SECONDS) : undefined;
    return kit.render(request, reply, {
      template: 'console/vouchers.eta',
      status: error ? 400 : 200,
      title: t.navVouchers,
      data: {
        batches: batches.map((batch) => ({
          ...batch, school: batch.school ?? '—', duration: formatDuration(language, batch.duration),
          created: formatDateTime(language, batch.createdAt, zone(batch.school)), validUntil: formatDateTime(language, batch.validUntil, zone(batch.school)),
        })),
        roles: principal.kind === 'teacher' ? ['guest'] : await kit.services.schools.listRoles(principal),
        schools: principal.kind === 'region-admin' ? schools : [],
        teacherHint: teacherMax === undefined ? undefined : fill(t.vouchersTeacherHint, { max: formatDuration(language, teacherMax) }),
        form: { role: form.role ?? 'guest', school: form.school ?? '', count: form.count ?? '30', duration: form.duration ?? '2h', uses: form.uses ?? '1', validUntil: form.validUntil ?? '', note: form.note ?? '' },
        error,
        notice: notice(query.done, NOTICES, t, { count: query.who ?? '', sessions: query.sessions ?? '0' }),
      },
    });
  }

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/vouchers', { schema: { querystring: LIST_QUERY } }, async (request, reply) => page(request, reply));

  app.post<{ Body: Static<typeof ISSUE_BODY> }>('/vouchers', { schema: { body: ISSUE_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const body = request.body;
    const t = consoleMessages(request);
    try {
      const school = confinedTo(principal) ?? body.school;
      const validUntil = body.validUntil ? endOfDayIn(body.validUntil, await zoneOf(principal, school)) : undefined;
      const { batch, vouchers } = await kit.services.vouchers.issue(principal, {
        role: body.role ?? 'guest', duration: parseDuration(body.duration ?? ''), count: whole(body.count, 'the number of codes'), uses: whole(body.uses, 'devices per code'),
        ...(body.school ? { school: body.school } : {}), ...(body.note?.trim() ? { note: body.note } : {}), ...(validUntil === undefined ? {} : { validUntil }),
      });
      request.log.info({ user: request.signedIn!.account.username, batch: batch.id, school: batch.school, count: vouchers.length }, 'console: vouchers issued');
      return reply.redirect(`/console/vouchers?${new URLSearchParams({ done: 'vouchersIssued', who: String(vouchers.length) }).toString()}`, 303);
    } catch (error) {
      // A teacher past the school's maximum is told so beside the form, not on an error page.
      if (isCodedError(error) && error.statusCode === 403 && principal.kind === 'teacher') {
        request.log.info({ code: error.code, reason: error.message }, 'console: form refused');
        return page(request, reply, body, { message: t.errorCheckInput, detail: error.message });
      }
      return page(request, reply, body, formError(error, t, request.log));
    }
  });

  app.post<{ Body: Static<typeof REVOKE_BODY> }>('/vouchers/revoke', { schema: { body: REVOKE_BODY } }, async (request, reply) => {
    const { revoked, disconnected } = await kit.services.vouchers.revoke(request.signedIn!.principal, request.body.target);
    request.log.info({ user: request.signedIn!.account.username, target: request.body.target, revoked: revoked.length, disconnected }, 'console: vouchers revoked');
    return reply.redirect(`/console/vouchers?${new URLSearchParams({ done: 'vouchersRevokedNotice', who: String(revoked.length), sessions: String(disconnected) }).toString()}`, 303);
  });

  app.get<{ Querystring: Static<typeof PRINT_QUERY> }>('/vouchers/print', { schema: { querystring: PRINT_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const { batch, vouchers } = await kit.services.vouchers.batch(principal, request.query.batch);
    const school = (await kit.services.schools.list(principal)).find((candidate) => candidate.id === batch.school);
    const printable = vouchers.filter((voucher) => !voucher.revoked);
    const sheets = Array.from({ length: Math.ceil(printable.length / CARDS_PER_SHEET) }, (_, index) => printable.slice(index * CARDS_PER_SHEET, (index + 1) * CARDS_PER_SHEET));
    const wifi = school?.ssid ? wifiJoinText(school.ssid) : undefined;
    return kit.render(request, reply, {
      template: 'console/vouchers-print.eta',
      title: batch.note || t.navVouchers,
      data: {
        sheets, note: batch.note, schoolName: school?.name ?? '', ssid: school?.ssid, wifi, qr: wifi ? qrDrawing(wifi) : undefined,
        durationText: fill(t.voucherSheetDuration, { duration: formatDuration(language, batch.duration) }),
        validUntilText: fill(t.voucherSheetValidUntil, { date: formatDate(language, batch.validUntil, await zoneOf(principal, batch.school)) }),
      },
    });
  });
}
