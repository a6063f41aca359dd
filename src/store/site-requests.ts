// Site requests (docs/content.md): a student on the block page asks the school's teachers to
// open a site. One hash per request, kept a day whatever its state (pending, then allowed or
// denied once, in a Lua script); a school's set of ids (pruned as hashes go); a per-address
// counter for the hour. And the domains teachers granted per school until a time, which the
// resolver honours (dns/granted-book.ts).
import { randomBytes } from 'node:crypto';
import type { ClientContext, Redis, Result } from 'ioredis';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { auditFields, defineScript, writeOne, type Actor, who } from './write.js';

export type SiteRequestState = 'pending' | 'allowed' | 'denied';
/** How long an allowed site stays open: the requester's lesson or the school's day. */
export type GrantSpan = 'lesson' | 'day';
export type SiteDecision = { state: 'allowed'; until: number; span: GrantSpan } | { state: 'denied'; reason?: string };

export interface SiteRequest {
  id: string;
  school: string;
  domain: string;
  user?: string;
  ip: string;
  mac?: string;
  reason?: string;
  /** Why it was blocked, as the block page said (a category, "focus", a rule). */
  rule: string;
  createdAt: number;
  state: SiteRequestState;
  decidedAt?: number;
  decidedBy?: string;
  /** An allowed site's end, and whether that is the lesson's or the day's. */
  until?: number;
  span?: GrantSpan;
  denyReason?: string;
}

const REQUEST_TTL_SECONDS = 86_400;
export const SITE_REQUESTS_PER_HOUR = 10;

// KEYS: request, audit. ARGV: fields (JSON), audit fields (JSON), audit length, change channel,
// change (JSON). Decided once: a second decision (or a request gone) changes nothing.
const DECIDE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
local state = redis.call('HGET', KEYS[1], 'state')
if state and state ~= 'pending' then return 'decided' end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[1])))
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(cjson.decode(ARGV[2])))
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 'ok'
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkSiteRequestDecide(numKeys: number, ...args: string[]): Result<'ok' | 'decided' | 'missing', Context>;
  }
}

function parse(id: string, hash: Record<string, string>): SiteRequest | undefined {
  if (!hash.school || !hash.domain) return undefined;
  const optional = (field: string) => (hash[field] ? { [field]: hash[field] } : {});
  const number = (field: string) => (hash[field] ? { [field]: Number(hash[field]) } : {});
  return {
    id, school: hash.school, domain: hash.domain, ip: hash.ip ?? '', rule: hash.rule ?? '', createdAt: Number(hash.createdAt),
    // Requests made before decisions were kept have no state: they are waiting.
    state: (hash.state as SiteRequestState | undefined) ?? 'pending',
    ...optional('user'), ...optional('mac'), ...optional('reason'), ...optional('decidedBy'), ...optional('span'), ...optional('denyReason'),
    ...number('decidedAt'), ...number('until'),
  };
}

export function createSiteRequestStore(redis: Redis) {
  defineScript(redis, 'mkSiteRequestDecide', DECIDE);

  async function get(id: string): Promise<SiteRequest | undefined> {
    return parse(id, await redis.hgetall(keys.siteRequest(id)));
  }

  return {
    get,

    /** False when the address asked too often this hour (INCR is the atomic count). */
    async allowAsk(ip: string): Promise<boolean> {
      const [[, count]] = (await redis.multi().incr(keys.siteRequestsAsked(ip)).expire(keys.siteRequestsAsked(ip), 3600, 'NX').exec()) as [[null, number]];
      return count <= SITE_REQUESTS_PER_HOUR;
    },

    async create(input: Omit<SiteRequest, 'id' | 'createdAt' | 'state'>, actor: Actor, now = Date.now()): Promise<SiteRequest> {
      const request: SiteRequest = { ...input, id: `sr-${randomBytes(5).toString('hex')}`, createdAt: now, state: 'pending' };
      await writeOne(redis, {
        key: keys.siteRequest(request.id),
        mode: 'create',
        set: Object.fromEntries(Object.entries(request).filter(([field, value]) => field !== 'id' && value !== undefined).map(([field, value]) => [field, String(value)])),
        addTo: [[keys.siteRequestsOfSchool(request.school), request.id]],
        expireAt: now + REQUEST_TTL_SECONDS * 1000,
        // The audit entry names the domain and the rule, not the person (they are in the request, for a day).
        audit: { ...who(actor), action: 'site-request.create', target: request.id, school: request.school, detail: { domain: request.domain, rule: request.rule } },
        change: { entity: 'site-request', id: request.id },
      });
      return request;
    },

    async listOfSchool(school: string): Promise<SiteRequest[]> {
      const ids = await redis.smembers(keys.siteRequestsOfSchool(school));
      const found = await Promise.all(ids.map(get));
      const gone = ids.filter((_, index) => !found[index]);
      if (gone.length > 0) await redis.srem(keys.siteRequestsOfSchool(school), ...gone);
      return found.filter((entry): entry is SiteRequest => entry !== undefined).sort((a, b) => b.createdAt - a.createdAt);
    },

    /** Records the one decision: 'decided' when another came first, 'missing' when it is gone. */
    async decide(request: SiteRequest, decision: SiteDecision, actor: Actor, now = Date.now()): Promise<'ok' | 'decided' | 'missing'> {
      const { state, ...rest } = decision;
      const fields = { state, decidedAt: String(now), decidedBy: who(actor).actor, ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined).map(([field, value]) => [field === 'reason' ? 'denyReason' : field, String(value)])) };
      const detail = { domain: request.domain, ...(decision.state === 'allowed' ? { until: new Date(decision.until).toISOString(), span: decision.span } : {}) };
      const audit = auditFields({ ...who(actor), action: `site-request.${decision.state === 'allowed' ? 'allow' : 'deny'}`, target: request.id, school: request.school, detail });
      return redis.mkSiteRequestDecide(2, keys.siteRequest(request.id), keys.audit, JSON.stringify(Object.entries(fields).flat()), JSON.stringify(audit),
        String(AUDIT_MAX_ENTRIES), keys.changes, JSON.stringify([{ entity: 'site-request', id: request.id }]));
    },

    /** Lets `domain` resolve at `school` until `until` (the entry's own end; the hash lives to the latest). */
    async grant(school: string, domain: string, until: number, actor: Actor): Promise<void> {
      await writeOne(redis, {
        key: keys.contentGranted(school),
        mode: 'upsert',
        set: { [domain]: String(until) },
        addTo: [[keys.contentGrantedSchools, school]],
        expireAt: Math.max(until, Number((await redis.pexpiretime(keys.contentGranted(school))) || 0)),
        audit: { ...who(actor), action: 'content.grant', target: domain, school, detail: { until: new Date(until).toISOString() } },
        change: { entity: 'content-granted', id: school },
      });
    },

    /** Every school's granted domains still running: school → domain → until. */
    async granted(now = Date.now()): Promise<Map<string, Map<string, number>>> {
      const schools = await redis.smembers(keys.contentGrantedSchools);
      const result = new Map<string, Map<string, number>>();
      for (const school of schools) {
        const hash = await redis.hgetall(keys.contentGranted(school));
        const running = Object.entries(hash).map(([domain, until]) => [domain, Number(until)] as const).filter(([, until]) => until > now);
        if (running.length === 0) await redis.srem(keys.contentGrantedSchools, school);
        else result.set(school, new Map(running));
      }
      return result;
    },
  };
}

export type SiteRequestStore = ReturnType<typeof createSiteRequestStore>;
