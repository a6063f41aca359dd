// Site requests: the block page (the portal, for the device on an address) asks; the school's
// teachers and admins (region-wide principals anywhere) list them, allow the domain for the
// school for the rest of the requester's lesson focus (when one covers them) or the rest of the
// day in the school's zone, or dismiss them. Each decision: one audit entry and one info line.
import type { Logger } from 'pino';
import { NotFoundError, RateLimitedError, ValidationError } from '../errors.js';
import { domainOfRule } from '../policy/content.js';
import type { FocusStore } from '../store/focus.js';
import type { SchoolStore } from '../store/schools.js';
import { DEFAULT_TIMEZONE } from '../store/schools.js';
import type { SessionStore } from '../store/sessions.js';
import type { SiteRequest, SiteRequestStore } from '../store/site-requests.js';
import { text } from '../store/validate.js';
import { allow, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

const DECIDERS: Principal['kind'][] = [...MANAGERS, 'teacher'];

export interface SiteRequestServiceDeps {
  siteRequests: Pick<SiteRequestStore, 'allowAsk' | 'create' | 'listOfSchool' | 'get' | 'close' | 'grant'>;
  sessions: Pick<SessionStore, 'byIp'>;
  schools: Pick<SchoolStore, 'get'>;
  focus: Pick<FocusStore, 'list'>;
  log?: Pick<Logger, 'info'> | undefined;
  now?: () => number;
}

/** The first moment of the next calendar day in `timeZone`, as epoch ms. */
export function endOfDay(at: number, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = local - Math.floor(at / 1000) * 1000;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day! + 1) - offset;
}

export function createSiteRequestService({ siteRequests, sessions, schools, focus, log, now = Date.now }: SiteRequestServiceDeps) {
  async function inScope(principal: Principal, id: string): Promise<SiteRequest> {
    allow(principal, DECIDERS, 'decide site requests');
    return requireInScope(principal, await siteRequests.get(id), `site request "${id}" does not exist`);
  }

  return {
    /** From the block page: the device on `principal.ip` asks for `domain`. */
    async create(principal: Principal, input: { domain: string; rule: string; reason?: string }): Promise<SiteRequest> {
      allow(principal, ['portal'], 'ask for a site');
      const ip = principal.kind === 'portal' ? principal.ip : undefined;
      const session = ip ? await sessions.byIp(undefined, ip) : undefined;
      if (!ip || !session?.school) throw new NotFoundError('this device is not online at a school');
      const domain = domainOfRule(input.domain);
      if (!domain) throw new ValidationError(`"${input.domain}" is not a domain name`);
      if (!(await siteRequests.allowAsk(ip))) throw new RateLimitedError('too many site requests from this device this hour');
      const created = await siteRequests.create({
        school: session.school, domain, ip, rule: input.rule.slice(0, 64),
        ...(session.user ? { user: session.user } : {}), ...(session.mac ? { mac: session.mac } : {}),
        ...(input.reason?.trim() ? { reason: text(input.reason, 'reason', 300) } : {}),
      }, auditOf(principal), now());
      log?.info({ request: created.id, school: created.school, domain }, 'site request created');
      return created;
    },

    async list(principal: Principal, school?: string): Promise<SiteRequest[]> {
      allow(principal, DECIDERS, 'see site requests');
      const at = schoolFor(principal, school, 'see site requests');
      if (!at) throw new ValidationError('name the school');
      return siteRequests.listOfSchool(at);
    },

    /** Allows the domain at the school until the requester's focus ends, else the end of the school's day. */
    async allow(principal: Principal, id: string): Promise<{ request: SiteRequest; until: number; forLesson: boolean }> {
      const request = await inScope(principal, id);
      const at = now();
      const lesson = request.user === undefined ? undefined
        : (await focus.list()).find((entry) => entry.school === request.school && entry.until > at && entry.users.includes(request.user!));
      const until = lesson?.until ?? endOfDay(at, (await schools.get(request.school))?.timezone ?? DEFAULT_TIMEZONE);
      await siteRequests.grant(request.school, request.domain, until, auditOf(principal));
      if (!(await siteRequests.close(request, 'allow', auditOf(principal), { until: new Date(until).toISOString() }))) throw new NotFoundError(`site request "${id}" does not exist`);
      log?.info({ request: id, school: request.school, domain: request.domain, by: auditOf(principal).actor, until: new Date(until).toISOString() }, 'site request allowed');
      return { request, until, forLesson: lesson !== undefined };
    },

    async dismiss(principal: Principal, id: string): Promise<SiteRequest> {
      const request = await inScope(principal, id);
      if (!(await siteRequests.close(request, 'dismiss', auditOf(principal)))) throw new NotFoundError(`site request "${id}" does not exist`);
      log?.info({ request: id, school: request.school, domain: request.domain, by: auditOf(principal).actor }, 'site request dismissed');
      return request;
    },
  };
}

export type SiteRequestService = ReturnType<typeof createSiteRequestService>;
