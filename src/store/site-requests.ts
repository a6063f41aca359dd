// Site requests (docs/content.md): a student on the block page asks the school's teachers to
// open a site. One hash per request, kept a day whatever its state (pending, then allowed or
// denied once, in a Lua script); a school's set of ids (pruned as hashes go); a per-address
// counter for the hour. And the names teachers granted per school, each to a scope (a lesson
// focus, or one user) until a time, which the resolver honours (dns/granted-book.ts).
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
  /** Why it was blocked: the resolver's rule for the device when it asked (a category, "focus", a rule). */
  rule: string;
  /** The lesson focus the device was under when it asked (its members are the grant's class). */
  focus?: string;
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

// KEYS: granted hash, granted schools, audit. ARGV: now, until, school, audit fields (JSON),
// audit length, change channel, change (JSON), then the fields ("<scope>|<domain>"). Each field
// keeps the later end (a shorter grant never shortens a longer one); ended fields go, so the
// hash holds what runs; it lives until its latest end.
const GRANT = `
local now = tonumber(ARGV[1])
local ends = tonumber(ARGV[2])
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if tonumber(entries[i + 1]) <= now then redis.call('HDEL', KEYS[1], entries[i]) end
end
for i = 8, #ARGV do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if ends > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[2]) end
end
local latest = redis.call('PEXPIRETIME', KEYS[1])
if ends > latest then redis.call('PEXPIREAT', KEYS[1], ends) end
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', unpack(cjson.decode(ARGV[4])))
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 'ok'
`;

// KEYS: granted hash, granted schools. ARGV: the school. The school leaves the set only while its
// hash is gone (it expires at its latest end): a grant made since the read keeps it listed.
const UNLIST_SCHOOL = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('SREM', KEYS[2], ARGV[1])
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkSiteRequestDecide(numKeys: number, ...args: string[]): Result<'ok' | 'decided' | 'missing', Context>;
    mkContentGrant(numKeys: number, ...args: string[]): Result<'ok', Context>;
    mkUnlistGrantSchool(granted: string, schools: string, school: string): Result<number, Context>;
  }
}

/** Who a grant opens a name to: the devices under one lesson focus, or one user's devices. */
export type GrantScope = `focus:${string}` | `user:${string}`;
/** school → scope → domain → until (epoch ms). */
export type GrantedNames = Map<string, Map<string, Map<string, number>>>;

function parse(id: string, hash: Record<string, string>): SiteRequest | undefined {
  if (!hash.school || !hash.domain) return undefined;
  const optional = (field: string) => (hash[field] ? { [field]: hash[field] } : {});
  const number = (field: string) => (hash[field] ? { [field]: Number(hash[field]) } : {});
  return {
    id, school: hash.school, domain: hash.domain, ip: hash.ip ?? '', rule: hash.rule ?? '', createdAt: Number(hash.createdAt),
    // Requests made before decisions were kept have no state: they are waiting.
    state: (hash.state as SiteRequestState | undefined) ?? 'pending',
    ...optional('user'), ...optional('mac'), ...optional('reason'), ...optional('focus'), ...optional('decidedBy'), ...optional('span'), ...optional('denyReason'),
    ...number('decidedAt'), ...number('until'),
  };
}

export function createSiteRequestStore(redis: Redis) {
  defineScript(redis, 'mkSiteRequestDecide', DECIDE);
  defineScript(redis, 'mkContentGrant', GRANT);
  defineScript(redis, 'mkUnlistGrantSchool', UNLIST_SCHOOL, 2);

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
      return found.filter((entry): entry is SiteRequest => entry !== undefined).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
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

    /** Lets `domain` and its subdomains resolve for each scope at `school` until `until` (or a later end already granted). */
    async grant(school: string, scopes: readonly GrantScope[], domain: string, until: number, actor: Actor, now = Date.now()): Promise<void> {
      const audit = auditFields({ ...who(actor), action: 'content.grant', target: domain, school, detail: { until: new Date(until).toISOString(), scopes } });
      await redis.mkContentGrant(3, keys.contentGranted(school), keys.contentGrantedSchools, keys.audit, String(now), String(until), school, JSON.stringify(audit),
        String(AUDIT_MAX_ENTRIES), keys.changes, JSON.stringify([{ entity: 'content-granted', id: school }]), ...scopes.map((scope) => `${scope}|${domain}`));
    },

    /** Every school's granted names still running. */
    async granted(now = Date.now()): Promise<GrantedNames> {
      const schools = await redis.smembers(keys.contentGrantedSchools);
      const result: GrantedNames = new Map();
      for (const school of schools) {
        const scopes = new Map<string, Map<string, number>>();
        for (const [field, until] of Object.entries(await redis.hgetall(keys.contentGranted(school)))) {
          const bar = field.lastIndexOf('|');
          if (bar < 0 || Number(until) <= now) continue;
          const [scope, domain] = [field.slice(0, bar), field.slice(bar + 1)];
          scopes.set(scope, (scopes.get(scope) ?? new Map<string, number>()).set(domain, Number(until)));
        }
        if (scopes.size === 0) await redis.mkUnlistGrantSchool(keys.contentGranted(school), keys.contentGrantedSchools, school);
        else result.set(school, scopes);
      }
      return result;
    },
  };
}

export type SiteRequestStore = ReturnType<typeof createSiteRequestStore>;
