// Lesson focus: a teacher (in their school), a school admin (theirs) or a region-wide principal
// starts focus for the devices on some access points, a named group or listed students, for
// some minutes with an allow-list; lists the running ones and stops one. The resolver applies it
// (dns/focus-book.ts). Every start and stop leaves an audit entry (the store) and one info line.
import type { Logger } from 'pino';
import { NotFoundError, ValidationError } from '../errors.js';
import { domainOfRule } from '../policy/content.js';
import type { FocusStore, Focus } from '../store/focus.js';
import type { GroupStore } from '../store/groups.js';
import type { NasStore } from '../store/nas.js';
import type { UserStore } from '../store/users.js';
import { text } from '../store/validate.js';
import { allow, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export const FOCUS_MAX_MINUTES = 6 * 60;
const FOCUS_MAX_ALLOWED = 50;
const FOCUS_MAX_TARGETS = 500;
const STARTERS: Principal['kind'][] = [...MANAGERS, 'teacher'];

export interface FocusRequest {
  school?: string;
  nas?: string[];
  group?: string;
  users?: string[];
  /** How long it runs; or `until`, an epoch ms (tests, and a console that picks an end time). */
  minutes?: number;
  until?: number;
  allow: string[];
  name?: string;
}

export interface FocusServiceDeps {
  focus: Pick<FocusStore, 'start' | 'list' | 'get' | 'end'>;
  groups: Pick<GroupStore, 'get' | 'list'>;
  nas: Pick<NasStore, 'get' | 'list'>;
  users: Pick<UserStore, 'get'>;
  log?: Pick<Logger, 'info'> | undefined;
  now?: () => number;
}

export function createFocusService({ focus, groups, nas, users, log, now = Date.now }: FocusServiceDeps) {
  async function targets(school: string, request: FocusRequest): Promise<Pick<Focus, 'nas' | 'users' | 'group'>> {
    const given = [request.nas?.length ? 'nas' : '', request.group ? 'group' : '', request.users?.length ? 'users' : ''].filter(Boolean);
    if (given.length !== 1) throw new ValidationError('name exactly one of: access points (nas), a group, or users');
    if (request.nas?.length) {
      if (request.nas.length > FOCUS_MAX_TARGETS) throw new ValidationError(`at most ${FOCUS_MAX_TARGETS} access points`);
      const found = await Promise.all(request.nas.map((address) => nas.get(address)));
      const outside = request.nas.filter((_, index) => found[index]?.school !== school);
      if (outside.length > 0) throw new ValidationError(`not an access point of ${school}: ${outside.join(', ')}`);
      return { nas: found.map((entry) => entry!.address), users: [] };
    }
    let members = request.users ?? [];
    if (request.group) {
      const group = await groups.get(school, request.group);
      if (!group) throw new NotFoundError(`group "${request.group}" does not exist at ${school}`);
      members = group.members;
    }
    if (members.length === 0 || members.length > FOCUS_MAX_TARGETS) throw new ValidationError(`focus takes 1-${FOCUS_MAX_TARGETS} students`);
    const found = await Promise.all(members.map((username) => users.get(username)));
    const outside = members.filter((_, index) => found[index]?.school !== school);
    if (outside.length > 0) throw new ValidationError(`not a user of ${school}: ${outside.slice(0, 10).join(', ')}`);
    return { nas: [], users: [...new Set(members)], ...(request.group ? { group: request.group } : {}) };
  }

  function endOf(request: FocusRequest): number {
    const at = now();
    const until = request.until ?? (request.minutes === undefined ? NaN : at + request.minutes * 60_000);
    if (!Number.isFinite(until) || until <= at || until > at + FOCUS_MAX_MINUTES * 60_000) {
      throw new ValidationError(`focus runs 1-${FOCUS_MAX_MINUTES} minutes`);
    }
    return until;
  }

  function allowList(entries: string[]): string[] {
    if (entries.length > FOCUS_MAX_ALLOWED) throw new ValidationError(`at most ${FOCUS_MAX_ALLOWED} allowed sites`);
    return [...new Set(entries.map((entry) => {
      const domain = domainOfRule(entry);
      if (!domain) throw new ValidationError(`"${entry}" is not a domain name`);
      return domain;
    }))];
  }

  return {
    async start(principal: Principal, request: FocusRequest): Promise<Focus> {
      allow(principal, STARTERS, 'start lesson focus');
      const school = schoolFor(principal, request.school, 'start lesson focus');
      if (!school) throw new ValidationError('name the school (--school)');
      const until = endOf(request);
      const started = await focus.start({
        school,
        name: request.name ? text(request.name, 'lesson name', 80) : 'Lesson focus',
        ...(await targets(school, request)),
        allow: allowList(request.allow),
        until,
      }, auditOf(principal), now());
      log?.info({ focus: started.id, school, by: started.startedBy, nas: started.nas.length, users: started.users.length, until: new Date(until).toISOString() }, 'focus started');
      return started;
    },

    /** Running focuses the principal may see: their school's (all for region-wide ones). */
    async list(principal: Principal, school?: string): Promise<Focus[]> {
      allow(principal, STARTERS, 'see lesson focus');
      const only = schoolFor(principal, school, 'see lesson focus');
      const at = now();
      return (await focus.list()).filter((entry) => entry.until > at && (only === undefined || entry.school === only));
    },

    /** What a focus can be started for at a school: its groups and its access points. */
    async choices(principal: Principal, school?: string): Promise<{ school: string; groups: string[]; nas: { address: string; name: string }[] }> {
      allow(principal, STARTERS, 'start lesson focus');
      const at = schoolFor(principal, school, 'start lesson focus');
      if (!at) throw new ValidationError('name the school');
      const [found, points] = await Promise.all([groups.list(at), nas.list()]);
      return {
        school: at,
        groups: found.map((group) => group.name),
        nas: points.filter((point) => point.school === at).map((point) => ({ address: point.address, name: point.name ?? point.address })),
      };
    },

    async stop(principal: Principal, id: string): Promise<Focus> {
      allow(principal, STARTERS, 'stop lesson focus');
      const found = requireInScope(principal, await focus.get(id), `focus "${id}" is not running`);
      if (found.until <= now()) throw new NotFoundError(`focus "${id}" is not running`);
      if (!(await focus.end(found, 'stop', auditOf(principal)))) throw new NotFoundError(`focus "${id}" is not running`);
      log?.info({ focus: id, school: found.school, by: auditOf(principal).actor }, 'focus stopped');
      return found;
    },
  };
}

export type FocusService = ReturnType<typeof createFocusService>;
