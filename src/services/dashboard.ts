// The dashboard's figures, scoped: a region admin (and the CLI) sees the region or one school, a
// school admin their school. A teacher sees only how many of their school's students are online
// (the sessions page lists them): no logins, traffic, users or access points of anyone else.
import { usagePeriods } from '../policy/periods.js';
import type { NasStore } from '../store/nas.js';
import type { RoleStore } from '../store/roles.js';
import { DEFAULT_TIMEZONE, type SchoolStore } from '../store/schools.js';
import type { Session, SessionStore } from '../store/sessions.js';
import type { HourFigures, StatsStore } from '../store/stats.js';
import { allow, MANAGERS, schoolFor, type Principal } from './principal.js';

/** Whether an instance can serve (plugins/health.ts answers it for /readyz and Status-Server). */
export interface Readiness {
  ready: boolean;
  checks: { redis: 'ok' | 'unreachable'; radius: 'ok' | 'not bound'; devices: 'ok' | 'loading' };
}

export const TOP_USERS = 10;
/** Access points listed, the longest silent first (a region has thousands). */
export const ACCESS_POINTS_SHOWN = 50;
const DAYS = 7;

export interface Bucket {
  /** Start of the hour or of the school's day, ISO. */
  at: string;
  /** The school calendar's day ("2026-12-01") for days; the hour's own day for hours. */
  day: string;
  accepted: Record<string, number>;
  refused: Record<string, number>;
  failed: number;
  /** Bytes moved, by role. */
  bytes: Record<string, number>;
}

export interface AccessPoint {
  address: string;
  name?: string;
  school?: string;
  vendor: string;
  /** ISO, or absent when never heard from since figures were kept. */
  lastSeen?: string;
}

export interface DashboardFigures {
  /** The school shown, or absent for the region. */
  school?: string;
  timeZone: string;
  at: string;
  /** Live sessions by role. */
  live: Record<string, number>;
  /** Every role named anywhere below, in a stable order (the charts' series). */
  roles: string[];
  /** The last 24 hours, oldest first, and the last 7 days of the school's calendar. */
  hours: Bucket[];
  days: Bucket[];
  topUsers: { user: string; school: string; bytes: number }[];
  accessPoints: AccessPoint[];
  accessPointCount: number;
  /** Failed logins in the last 24 hours. */
  failed24h: number;
  health?: Readiness['checks'];
}

/** What a teacher may see: their school's students online, nothing else. */
export interface TeacherFigures {
  school: string;
  at: string;
  live: { student: number };
}

export interface DashboardDeps {
  stats: Pick<StatsStore, 'hours' | 'topUsers' | 'lastSeen'>;
  sessions: Pick<SessionStore, 'list' | 'each'>;
  nas: Pick<NasStore, 'list'>;
  schools: Pick<SchoolStore, 'list' | 'require'>;
  roles: Pick<RoleStore, 'list'>;
  /** Redis and RADIUS as /readyz sees them; absent where nothing listens (the CLI). */
  health?: () => Promise<Readiness>;
  now?: () => number;
}

function emptyBucket(at: number, day: string): Bucket {
  return { at: new Date(at).toISOString(), day, accepted: {}, refused: {}, failed: 0, bytes: {} };
}

function add(into: Record<string, number>, name: string, value: number): void {
  into[name] = (into[name] ?? 0) + value;
}

/** Adds an hour's hash (fields accept:<role>, refuse:<role>, failed, bytes:<role>) to a bucket. */
function addHour(bucket: Bucket, { fields }: HourFigures, roles: Set<string>): void {
  for (const [field, value] of Object.entries(fields)) {
    if (field === 'failed') {
      bucket.failed += value;
      continue;
    }
    const [kind, role = ''] = [field.slice(0, field.indexOf(':')), field.slice(field.indexOf(':') + 1)];
    const into = kind === 'accept' ? bucket.accepted : kind === 'refuse' ? bucket.refused : kind === 'bytes' ? bucket.bytes : undefined;
    if (!into || !role) continue;
    add(into, role, value);
    roles.add(role);
  }
}

async function liveByRole(sessions: DashboardDeps['sessions'], school: string | undefined): Promise<Record<string, number>> {
  const live: Record<string, number> = {};
  const count = (page: Session[]) => page.forEach((session) => add(live, session.role ?? '-', 1));
  if (school !== undefined) count(await sessions.list({ school }));
  else for await (const page of sessions.each()) count(page);
  return live;
}

export function createDashboardService(deps: DashboardDeps) {
  const now = deps.now ?? Date.now;

  async function figures(principal: Principal, named?: string): Promise<DashboardFigures> {
    allow(principal, MANAGERS, 'see the dashboard');
    const school = schoolFor(principal, named, 'see the dashboard');
    const at = now();
    const allSchools = await deps.schools.list();
    const timeZone = school !== undefined ? (await deps.schools.require(school)).timezone : DEFAULT_TIMEZONE;
    const dayOf = (moment: number) => usagePeriods(moment, timeZone).day;
    const roles = new Set(await deps.roles.list());

    // 7 whole days of the school's calendar reach back at most 7 × 24 + 23 hours.
    const raw = await deps.stats.hours(school, at, DAYS * 24 + 23);
    const hours = raw.slice(-24).map((hour) => {
      const bucket = emptyBucket(hour.at, dayOf(hour.at));
      addHour(bucket, hour, roles);
      return bucket;
    });
    const byDay = new Map<string, Bucket>();
    for (const hour of raw) {
      const day = dayOf(hour.at);
      let bucket = byDay.get(day);
      if (!bucket) byDay.set(day, (bucket = emptyBucket(hour.at, day)));
      addHour(bucket, hour, roles);
    }
    const days = [...byDay.values()].slice(-DAYS);

    const inScope = school === undefined ? allSchools : allSchools.filter((candidate) => candidate.id === school);
    const topUsers = await deps.stats.topUsers(inScope.map((candidate) => ({ id: candidate.id, day: usagePeriods(at, candidate.timezone).day })), TOP_USERS);

    const lastSeen = await deps.stats.lastSeen();
    const clients = (await deps.nas.list()).filter((client) => school === undefined || client.school === school);
    const accessPoints = clients
      .map((client): AccessPoint => ({
        address: client.address, vendor: client.vendor,
        ...(client.name ? { name: client.name } : {}), ...(client.school ? { school: client.school } : {}),
        ...(lastSeen[client.address] ? { lastSeen: new Date(lastSeen[client.address]!).toISOString() } : {}),
      }))
      .sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? '') || a.address.localeCompare(b.address))
      .slice(0, ACCESS_POINTS_SHOWN);

    const live = await liveByRole(deps.sessions, school);
    for (const role of Object.keys(live)) roles.add(role);
    const health = deps.health ? (await deps.health()).checks : undefined;
    return {
      ...(school !== undefined ? { school } : {}),
      timeZone,
      at: new Date(at).toISOString(),
      live,
      roles: [...roles].filter((role) => role !== '-').sort().concat(roles.has('-') ? ['-'] : []),
      hours,
      days,
      topUsers,
      accessPoints,
      accessPointCount: clients.length,
      failed24h: hours.reduce((sum, hour) => sum + hour.failed, 0),
      ...(health ? { health } : {}),
    };
  }

  return {
    figures,

    /** A teacher's view: their school's students online. */
    async students(principal: Principal, named?: string): Promise<TeacherFigures> {
      allow(principal, ['teacher'], "see the students' dashboard");
      const school = schoolFor(principal, named, 'see the students online')!;
      const sessions = await deps.sessions.list({ school });
      return { school, at: new Date(now()).toISOString(), live: { student: sessions.filter((session) => session.role === 'student').length } };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
