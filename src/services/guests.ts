// Guests a teacher lets in (docs/guests.md). The portal asks on behalf of a device; a teacher
// sees and decides only the requests addressed to them in their school, a school admin all of
// the school's, a region admin (and the CLI) everything — anything else is answered as not found.
// An approval remembers the device (MAC authentication) until it ends, and nudges a device still
// online so it authenticates again; the guest sweep ends it (guest-sweeper.ts).
import type { Logger } from 'pino';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Enforcer } from '../enforcement/enforcer.js';
import { weekMinute } from '../policy/schedule.js';
import type { AccountStore } from '../store/accounts.js';
import type { DeviceStore } from '../store/devices.js';
import type { GuestSettings, GuestSettingsStore } from '../store/guest-settings.js';
import type { AskOutcome, GuestRequest, GuestState, GuestStore } from '../store/guests.js';
import type { SchoolStore } from '../store/schools.js';
import type { SessionStore } from '../store/sessions.js';
import { allow, auditActor, auditOf, confinedTo, MANAGERS, schoolFor, type Principal } from './principal.js';

export const GUEST_ROLE = 'guest';

export interface GuestServiceDeps {
  guests: GuestStore;
  guestSettings: GuestSettingsStore;
  accounts: Pick<AccountStore, 'list'>;
  schools: Pick<SchoolStore, 'list' | 'require'>;
  devices: Pick<DeviceStore, 'remember'>;
  sessions: Pick<SessionStore, 'list'>;
  enforcer: Pick<Enforcer, 'disconnect'>;
  log?: Pick<Logger, 'info'> | undefined;
  now?: () => number;
}

export interface GuestForm {
  school: string;
  nas: string;
  mac: string;
  sponsor: string;
  name: string;
  contact?: string;
  reason?: string;
}

export interface Teacher {
  username: string;
  name: string;
}

const HOUR_MS = 3_600_000;
const NOT_FOUND = (id: string) => new NotFoundError(`guest request ${id} does not exist`);
const PEOPLE: Principal['kind'][] = [...MANAGERS, 'teacher'];

/** "1h", "90m", "2h30m" or "school-day" → the approval's end (epoch ms), within the school's maximum. */
export function approvalEnd(duration: string, settings: GuestSettings, timeZone: string, now: number): number {
  if (duration === 'school-day') {
    const minute = weekMinute(now, timeZone) % 1440;
    const end = Number(settings.schoolDayEnd.slice(0, 2)) * 60 + Number(settings.schoolDayEnd.slice(3));
    if (end <= minute) throw new ValidationError(`the school day ended at ${settings.schoolDayEnd}: choose a duration`);
    return Math.min(now - (now % 60_000) + (end - minute) * 60_000, now + settings.maxApprovalHours * HOUR_MS);
  }
  const match = /^(?:(\d{1,3})h)?(?:(\d{1,4})m)?$/.exec(duration.trim());
  const ms = match && (match[1] || match[2]) ? (Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60_000 : 0;
  if (ms <= 0) throw new ValidationError(`"${duration}" is not a duration: write 1h, 90m, 2h30m or school-day`);
  if (ms > settings.maxApprovalHours * HOUR_MS) throw new ValidationError(`at most ${settings.maxApprovalHours}h at this school`);
  return now + ms;
}

export function createGuestService(deps: GuestServiceDeps) {
  const now = deps.now ?? Date.now;
  const log = deps.log;

  /** In scope for the principal, or 404 (a teacher's scope is the requests addressed to them). */
  function visible(principal: Principal, request: GuestRequest | undefined, id: string): GuestRequest {
    const own = confinedTo(principal);
    if (!request || (own !== undefined && request.school !== own)) throw NOT_FOUND(id);
    if (principal.kind === 'teacher' && request.sponsor !== principal.username) throw NOT_FOUND(id);
    return request;
  }

  async function teachersOf(school: string): Promise<Teacher[]> {
    return (await deps.accounts.list(school))
      .filter((account) => account.role === 'teacher' && account.status === 'active')
      .map((account) => ({ username: account.username, name: account.name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async function inScope(principal: Principal): Promise<GuestRequest[]> {
    const own = confinedTo(principal);
    const schools = own === undefined ? (await deps.schools.list()).map((school) => school.id) : [own];
    const all = (await Promise.all(schools.map((school) => deps.guests.list(school)))).flat();
    return principal.kind === 'teacher' ? all.filter((request) => request.sponsor === principal.username) : all;
  }

  async function decidable(principal: Principal, id: string): Promise<{ request: GuestRequest; settings: GuestSettings }> {
    allow(principal, PEOPLE, 'decide guest requests');
    const request = visible(principal, await deps.guests.get(id), id);
    if (request.state !== 'pending') throw new ConflictError(`guest request ${request.id} is ${request.state}, not pending`);
    return { request, settings: await deps.guestSettings.get(request.school) };
  }

  return {
    /** The teachers a guest on the school's network may ask. */
    async teachers(principal: Principal, school: string): Promise<Teacher[]> {
      allow(principal, ['portal', ...PEOPLE], 'list teachers');
      return teachersOf(schoolFor(principal, school, 'list teachers') ?? school);
    },

    async settings(principal: Principal, school: string): Promise<GuestSettings> {
      allow(principal, ['portal', ...PEOPLE], 'see guest settings');
      return deps.guestSettings.get(schoolFor(principal, school, 'see guest settings') ?? school);
    },

    /** `changes`: setting name → value as typed (docs/guests.md lists them). */
    async configure(principal: Principal, school: string, changes: Record<string, string>): Promise<GuestSettings> {
      allow(principal, MANAGERS, 'change guest settings');
      const id = schoolFor(principal, school, 'change guest settings') ?? school;
      await deps.schools.require(id);
      await deps.guestSettings.set(id, changes, auditOf(principal));
      log?.info({ actor: auditActor(principal), school: id, settings: Object.keys(changes) }, 'guest settings changed');
      return deps.guestSettings.get(id);
    },

    /** The portal asks for a device; the contact details are checked, never logged. */
    async ask(principal: Principal, form: GuestForm): Promise<AskOutcome> {
      allow(principal, ['portal', 'root'], 'ask for guest access');
      const settings = await deps.guestSettings.get(form.school);
      const name = form.name.trim();
      const contact = form.contact?.trim() ?? '';
      if (!name) throw new ValidationError('the guest\'s name is required');
      if (settings.contactRequired && !contact) throw new ValidationError('a phone number or e-mail address is required at this school');
      if (!(await teachersOf(form.school)).some((teacher) => teacher.username === form.sponsor)) throw new ValidationError('choose a teacher of this school');
      const outcome = await deps.guests.ask(
        { ...form, name, ...(contact ? { contact } : {}), ...(form.reason?.trim() ? { reason: form.reason.trim() } : {}) },
        { pendingMs: settings.pendingMinutes * 60_000, devicePerHour: settings.devicePerHour, schoolPerHour: settings.schoolPerHour, retentionMs: settings.retentionDays * 86_400_000 },
        auditOf(principal),
      );
      const detail = { mac: form.mac, nas: form.nas, school: form.school, sponsor: form.sponsor };
      if (outcome.ok) log?.info({ ...detail, id: outcome.request.id }, 'guest: request waiting for the teacher');
      else log?.info({ ...detail, reason: outcome.refused }, 'guest: request refused');
      return outcome;
    },

    /** The device's own request (the waiting page): another device's is not found. */
    async status(principal: Principal, id: string): Promise<GuestRequest> {
      allow(principal, ['portal'], 'follow a guest request');
      const request = await deps.guests.get(id);
      if (principal.kind !== 'portal' || !request || request.mac !== principal.mac || request.nas !== principal.nas) throw NOT_FOUND(id);
      return request;
    },

    /** The device's own approval that is still running (a guest who comes back to the portal). */
    async approvedFor(principal: Principal): Promise<string | undefined> {
      allow(principal, ['portal'], 'follow a guest request');
      return principal.kind === 'portal' && principal.mac && principal.nas ? deps.guests.approvedFor(principal.mac, principal.nas) : undefined;
    },

    async list(principal: Principal, state?: GuestState): Promise<GuestRequest[]> {
      allow(principal, PEOPLE, 'list guest requests');
      const all = await inScope(principal);
      return (state ? all.filter((request) => request.state === state) : all).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },

    /** Pending requests the principal may decide (the console's badge). */
    async pendingCount(principal: Principal): Promise<number> {
      allow(principal, PEOPLE, 'count guest requests');
      return (await inScope(principal)).filter((request) => request.state === 'pending').length;
    },

    async get(principal: Principal, id: string): Promise<GuestRequest> {
      allow(principal, PEOPLE, 'see guest requests');
      return visible(principal, await deps.guests.get(id), id);
    },

    async approve(principal: Principal, id: string, duration: string): Promise<GuestRequest> {
      const { request, settings } = await decidable(principal, id);
      const school = await deps.schools.require(request.school);
      const until = approvalEnd(duration, settings, school.timezone, now());
      if (!(await deps.guests.decide(request, { state: 'approved', until }, settings.retentionDays * 86_400_000, auditOf(principal)))) {
        throw new ConflictError(`guest request ${request.id} is no longer pending`);
      }
      log?.info({ actor: auditActor(principal), id: request.id, school: request.school, mac: request.mac, until: new Date(until).toISOString() }, 'guest: approved');
      // Remembered until the approval ends: its next connection passes by MAC authentication.
      const outcome = await deps.devices.remember({ mac: request.mac, role: GUEST_ROLE, school: request.school, until: new Date(until).toISOString() }, auditActor(principal), undefined, 'guest');
      log?.info({ id: request.id, mac: request.mac, outcome }, outcome === 'remembered' ? 'guest: device remembered until the approval ends' : 'guest: device not remembered, an existing registration is kept');
      // A device still online (on the walled garden, or an older session) is disconnected so it
      // authenticates again, now by its MAC; a device that has gone does so when it comes back.
      for (const session of await deps.sessions.list({ mac: request.mac, school: request.school })) {
        await deps.enforcer.disconnect(session, 'guest approved: authenticate again', auditActor(principal));
      }
      return (await deps.guests.get(request.id)) ?? request;
    },

    async deny(principal: Principal, id: string, reason?: string): Promise<GuestRequest> {
      const { request, settings } = await decidable(principal, id);
      const words = reason?.trim().slice(0, 500);
      const decision = { state: 'denied' as const, pauseMs: settings.deniedPauseMinutes * 60_000, ...(words ? { reason: words } : {}) };
      if (!(await deps.guests.decide(request, decision, settings.retentionDays * 86_400_000, auditOf(principal)))) {
        throw new ConflictError(`guest request ${request.id} is no longer pending`);
      }
      log?.info({ actor: auditActor(principal), id: request.id, school: request.school, mac: request.mac }, 'guest: denied');
      return (await deps.guests.get(request.id)) ?? request;
    },
  };
}

export type GuestService = ReturnType<typeof createGuestService>;
