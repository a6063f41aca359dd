// Site requests: the block page (the portal, for the device on an address) asks for the name it
// was blocked on, with the resolver's own reason; the school's teachers and admins (region-wide
// principals anywhere) list them, allow the name (and its subdomains, never a public suffix) for
// the rest of the lesson or of the day in the school's zone, or deny them, once (a second
// decision is a conflict). An allow opens the name to the requester's class: the members of the
// lesson focus it was asked under, else the requester's own devices. Each decision: one audit
// entry and one info line.
import type { Logger } from 'pino';
import { getDomain } from 'tldts';
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from '../errors.js';
import { domainOfRule, normaliseName, ruleLabel, type ContentDecision } from '../policy/content.js';
import type { FocusStore } from '../store/focus.js';
import type { SchoolStore } from '../store/schools.js';
import { DEFAULT_TIMEZONE } from '../store/schools.js';
import type { SessionStore } from '../store/sessions.js';
import type { GrantScope, GrantSpan, SiteRequest, SiteRequestState, SiteRequestStore } from '../store/site-requests.js';
import { text } from '../store/validate.js';
import { allow, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

const DECIDERS: Principal['kind'][] = [...MANAGERS, 'teacher'];
/** "For the lesson" when no lesson focus covers the requester: one lesson from now. */
export const LESSON_MINUTES = 45;

export interface SiteRequestServiceDeps {
  siteRequests: Pick<SiteRequestStore, 'allowAsk' | 'create' | 'listOfSchool' | 'get' | 'decide' | 'grant'>;
  sessions: Pick<SessionStore, 'byIp'>;
  schools: Pick<SchoolStore, 'get' | 'list'>;
  focus: Pick<FocusStore, 'list'>;
  /** The resolver's decision for a name asked from an address (the block page's); absent when it is off. */
  explain?: ((ip: string, name: string) => Promise<{ decision: ContentDecision } | undefined>) | undefined;
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

/** The name as asked, when it may be granted: a host name under a registrable domain, never a
 * public suffix (Public Suffix List, private entries too: github.io is one). */
export function grantableName(input: string): string | undefined {
  const name = domainOfRule(input);
  if (!name || name !== normaliseName(input.trim())) return undefined;
  return getDomain(name, { allowPrivateDomains: true }) ? name : undefined;
}

export function createSiteRequestService({ siteRequests, sessions, schools, focus, explain, log, now = Date.now }: SiteRequestServiceDeps) {
  async function inScope(principal: Principal, id: string): Promise<SiteRequest> {
    allow(principal, DECIDERS, 'see site requests');
    return requireInScope(principal, await siteRequests.get(id), `site request "${id}" does not exist`);
  }

  /** A pending request in scope; a decided one is a conflict. */
  async function decidable(principal: Principal, id: string): Promise<SiteRequest> {
    allow(principal, DECIDERS, 'decide site requests');
    const request = await inScope(principal, id);
    if (request.state !== 'pending') throw new ConflictError(`site request ${id} is ${request.state}, not pending`);
    return request;
  }

  async function record(principal: Principal, request: SiteRequest, decision: Parameters<SiteRequestStore['decide']>[1], at: number): Promise<SiteRequest> {
    const outcome = await siteRequests.decide(request, decision, auditOf(principal), at);
    if (outcome === 'missing') throw new NotFoundError(`site request "${request.id}" does not exist`);
    if (outcome === 'decided') throw new ConflictError(`site request ${request.id} is no longer pending`);
    return (await siteRequests.get(request.id)) ?? request;
  }

  /** Who the allow opens the name to, and when "the lesson" ends: the focus it was asked under
   * while it runs (its devices, and its members' for the span), else the requester, one lesson. */
  async function classOf(request: SiteRequest, at: number): Promise<{ scopes: GrantScope[]; lessonEnd: number }> {
    const lesson = request.focus === undefined ? undefined
      : (await focus.list()).find((entry) => entry.id === request.focus && entry.school === request.school && entry.until > at);
    const users = new Set([...(lesson?.users ?? []), ...(request.user === undefined ? [] : [request.user])]);
    const scopes: GrantScope[] = [...(lesson ? [`focus:${lesson.id}` as const] : []), ...[...users].map((user) => `user:${user}` as const)];
    return { scopes, lessonEnd: lesson?.until ?? at + LESSON_MINUTES * 60_000 };
  }

  /** Newest first: a confined principal's school; a region-wide one the school named, else every school. */
  async function list(principal: Principal, filter: { school?: string | undefined; state?: SiteRequestState | undefined } = {}): Promise<SiteRequest[]> {
    allow(principal, DECIDERS, 'see site requests');
    const at = schoolFor(principal, filter.school, 'see site requests');
    const of = at ? [at] : (await schools.list()).map((school) => school.id);
    const all = (await Promise.all(of.map((school) => siteRequests.listOfSchool(school)))).flat();
    return all.filter((entry) => !filter.state || entry.state === filter.state).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  return {
    /** From the block page: the device on `principal.ip` asks for `domain`, the name it was
     * blocked on; the reason is what the resolver decides for that device now, or it is refused. */
    async create(principal: Principal, input: { domain: string; reason?: string | undefined }): Promise<SiteRequest> {
      allow(principal, ['portal'], 'ask for a site');
      const ip = principal.kind === 'portal' ? principal.ip : undefined;
      const session = ip ? await sessions.byIp(undefined, ip) : undefined;
      // Each refusal: one info line with its reason.
      const refused = <E extends Error>(reason: string, error: E): E => {
        log?.info({ client: ip, school: session?.school, reason }, 'site request refused');
        return error;
      };
      if (!ip || !session?.school || !session.user) throw refused('not-online', new NotFoundError('this device is not signed in at a school'));
      const domain = grantableName(input.domain);
      if (!domain) throw refused('not-a-site', new ValidationError(`"${input.domain}" is not a site that can be allowed (a public suffix, or not a domain name)`));
      const decision = (await explain?.(ip, domain))?.decision;
      if (decision?.action !== 'block') throw refused('not-blocked', new ValidationError(`"${domain}" is not blocked for this device`));
      if (!(await siteRequests.allowAsk(ip))) throw refused('rate-limited', new RateLimitedError('too many site requests from this device this hour'));
      const created = await siteRequests.create({
        school: session.school, domain, ip, rule: ruleLabel(decision), user: session.user,
        ...(decision.rule === 'focus' ? { focus: decision.focus } : {}), ...(session.mac ? { mac: session.mac } : {}),
        ...(input.reason?.trim() ? { reason: text(input.reason, 'reason', 300) } : {}),
      }, auditOf(principal), now());
      log?.info({ request: created.id, school: created.school, domain, rule: created.rule }, 'site request created');
      return created;
    },

    list,

    async get(principal: Principal, id: string): Promise<SiteRequest> {
      return inScope(principal, id);
    },

    /** Pending requests the principal may decide (with guests, the console's badge). */
    async pendingCount(principal: Principal): Promise<number> {
      return (await list(principal, { state: 'pending' })).length;
    },

    /** Allows the name to the requester's class for the rest of the lesson or of the school's day. */
    async allow(principal: Principal, id: string, span: GrantSpan): Promise<SiteRequest & { until: number }> {
      const request = await decidable(principal, id);
      // Requests recorded before names were checked may hold a public suffix: never granted.
      if (!grantableName(request.domain)) throw new ValidationError(`"${request.domain}" is a public suffix, not a site`);
      const at = now();
      const { scopes, lessonEnd } = await classOf(request, at);
      if (scopes.length === 0) throw new ValidationError(`site request ${id} names nobody to allow it to`);
      const until = span === 'day' ? endOfDay(at, (await schools.get(request.school))?.timezone ?? DEFAULT_TIMEZONE) : lessonEnd;
      const decided = await record(principal, request, { state: 'allowed', until, span }, at);
      await siteRequests.grant(request.school, scopes, request.domain, until, auditOf(principal), at);
      log?.info({ request: id, school: request.school, domain: request.domain, by: auditOf(principal).actor, span, scopes: scopes.length, until: new Date(until).toISOString() }, 'site request allowed');
      return { ...decided, until };
    },

    async deny(principal: Principal, id: string, reason?: string): Promise<SiteRequest> {
      const request = await decidable(principal, id);
      const words = reason?.trim() ? text(reason, 'reason', 300) : undefined;
      const decided = await record(principal, request, { state: 'denied', ...(words ? { reason: words } : {}) }, now());
      log?.info({ request: id, school: request.school, domain: request.domain, by: auditOf(principal).actor }, 'site request denied');
      return decided;
    },
  };
}

export type SiteRequestService = ReturnType<typeof createSiteRequestService>;
