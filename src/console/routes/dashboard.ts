// /console/: the dashboard. Admins see live sessions by role, logins and traffic per role over 24
// hours and 7 days (SVG charts drawn here, charts.ts), today's top users, access points with when
// each was last heard, failed logins and health; a region admin the region or one school. A
// teacher sees how many of their school's students are online, and the way to the list.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fill, type Messages } from '../../i18n/languages.js';
import { formatBytes, formatDateTime, formatNumber } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import type { Bucket, DashboardFigures } from '../../services/dashboard.js';
import { UNKNOWN_ROLE } from '../../store/stats.js';
import { stackedBars } from '../charts.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

const QUERY = Type.Object({ school: Type.Optional(Type.String({ maxLength: 64 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });

type Language = ReturnType<typeof languageOf>;

function roleName(role: string, t: Messages): string {
  return role === UNKNOWN_ROLE ? t.dashRoleUnknown : role;
}

function labelsOf(buckets: Bucket[], language: Language, timeZone: string, daily: boolean): string[] {
  const format = daily
    ? new Intl.DateTimeFormat(language, { timeZone: 'UTC', weekday: 'short', day: 'numeric' })
    : new Intl.DateTimeFormat(language, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return buckets.map((bucket) => format.format(daily ? new Date(`${bucket.day}T00:00:00Z`) : new Date(bucket.at)));
}

function busiest(labels: string[], totals: number[]): { label: string; most: number } {
  const most = Math.max(0, ...totals);
  return { label: labels[totals.indexOf(most)] ?? '—', most };
}

/** The two charts of a period: logins by outcome, and traffic stacked by role. */
function charts(figures: DashboardFigures, buckets: Bucket[], daily: boolean, t: Messages, language: Language) {
  const labels = labelsOf(buckets, language, figures.timeZone, daily);
  const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);
  const accepted = buckets.map((bucket) => sum(bucket.accepted));
  const refused = buckets.map((bucket) => sum(bucket.refused));
  const failed = buckets.map((bucket) => bucket.failed);
  const count = (value: number) => formatNumber(language, value);
  const logins = busiest(labels, buckets.map((_, index) => accepted[index]! + refused[index]! + failed[index]!));
  const total = (values: number[]) => values.reduce((all, value) => all + value, 0);
  const suffix = daily ? 'day' : 'hour';
  const loginChart = stackedBars({
    id: `logins-${suffix}`,
    title: daily ? t.dashLoginsDays : t.dashLoginsHours,
    desc: fill(t.dashLoginsDesc, { accepted: count(total(accepted)), refused: count(total(refused)), failed: count(total(failed)), label: logins.label, most: count(logins.most) }),
    labels,
    series: [{ name: t.dashAccepted, values: accepted }, { name: t.dashRefused, values: refused }, { name: t.dashFailed, values: failed }],
    format: count,
    labelHeading: daily ? t.dashDay : t.dashHour,
    labelEvery: daily ? 1 : 3,
  });
  const roles = figures.roles.filter((role) => buckets.some((bucket) => bucket.bytes[role]));
  const bytesPer = buckets.map((bucket) => sum(bucket.bytes));
  const traffic = busiest(labels, bytesPer);
  const size = (value: number) => formatBytes(language, value);
  const trafficChart = stackedBars({
    id: `traffic-${suffix}`,
    title: daily ? t.dashTrafficDays : t.dashTrafficHours,
    desc: fill(t.dashTrafficDesc, { total: size(total(bytesPer)), label: traffic.label, most: size(traffic.most) }),
    labels,
    series: roles.map((role) => ({ name: roleName(role, t), values: buckets.map((bucket) => bucket.bytes[role] ?? 0) })),
    format: size,
    labelHeading: daily ? t.dashDay : t.dashHour,
    labelEvery: daily ? 1 : 3,
  });
  return { logins: loginChart, traffic: trafficChart };
}

function adminView(figures: DashboardFigures, t: Messages, language: Language) {
  const when = (at: string) => formatDateTime(language, at, figures.timeZone);
  const live = Object.entries(figures.live).sort(([a], [b]) => a.localeCompare(b)).map(([role, sessions]) => ({ role: roleName(role, t), sessions: formatNumber(language, sessions) }));
  return {
    live,
    liveTotal: formatNumber(language, Object.values(figures.live).reduce((sum, value) => sum + value, 0)),
    day: charts(figures, figures.days, true, t, language),
    hour: charts(figures, figures.hours, false, t, language),
    topUsers: figures.topUsers.map((row) => ({ ...row, data: formatBytes(language, row.bytes) })),
    accessPoints: figures.accessPoints.map((ap) => ({ ...ap, seen: ap.lastSeen ? when(ap.lastSeen) : t.dashNeverSeen })),
    accessPointsNote: figures.accessPointCount > figures.accessPoints.length
      ? fill(t.dashAccessPointsShown, { shown: formatNumber(language, figures.accessPoints.length), total: formatNumber(language, figures.accessPointCount) }) : '',
    failed24h: formatNumber(language, figures.failed24h),
    health: figures.health ? [
      { name: 'Redis', ok: figures.health.redis === 'ok' },
      { name: 'RADIUS', ok: figures.health.radius === 'ok' },
    ] : [],
    at: when(figures.at),
  };
}

export function dashboardRoutes(app: FastifyInstance, kit: ConsoleKit) {
  async function schoolName(request: FastifyRequest, id: string | undefined, t: Messages): Promise<{ name: string; schools: { id: string; name: string }[] }> {
    const schools = await kit.services.schools.list(request.signedIn!.principal);
    return { name: id === undefined ? t.allSchools : (schools.find((school) => school.id === id)?.name ?? id), schools };
  }

  app.get<{ Querystring: Static<typeof QUERY> }>('/', { schema: { querystring: QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    if (principal.kind === 'teacher') {
      const students = await kit.services.dashboard.students(principal, request.query.school || undefined);
      const { name } = await schoolName(request, students.school, t);
      return kit.render(request, reply, {
        template: 'console/dashboard-teacher.eta', title: t.homeHeading,
        data: { schoolName: name, studentsOnline: fill(t.dashStudentsOnline, { count: formatNumber(language, students.live.student) }) },
      });
    }
    const figures = await kit.services.dashboard.figures(principal, request.query.school || undefined);
    const { name, schools } = await schoolName(request, figures.school, t);
    return kit.render(request, reply, {
      template: 'console/dashboard.eta',
      title: t.dashHeading,
      data: { schoolName: name, schools, school: figures.school ?? '', regionWide: principal.kind === 'region-admin', ...adminView(figures, t, language) },
    });
  });
}
