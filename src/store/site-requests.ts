// Site requests (docs/content.md): a student on the block page asks the school's teachers to
// open a site. One hash per request, kept a day; a school's set of ids (pruned as hashes go);
// a per-address counter for the hour. And the domains teachers granted per school until a time,
// which the resolver honours (dns/granted-book.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.js';
import { writeOne, type Actor, who } from './write.js';

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
}

const REQUEST_TTL_SECONDS = 86_400;
export const SITE_REQUESTS_PER_HOUR = 10;

function parse(id: string, hash: Record<string, string>): SiteRequest | undefined {
  if (!hash.school || !hash.domain) return undefined;
  return {
    id, school: hash.school, domain: hash.domain, ip: hash.ip ?? '', rule: hash.rule ?? '', createdAt: Number(hash.createdAt),
    ...(hash.user ? { user: hash.user } : {}), ...(hash.mac ? { mac: hash.mac } : {}), ...(hash.reason ? { reason: hash.reason } : {}),
  };
}

export function createSiteRequestStore(redis: Redis) {
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

    async create(input: Omit<SiteRequest, 'id' | 'createdAt'>, actor: Actor, now = Date.now()): Promise<SiteRequest> {
      const request: SiteRequest = { ...input, id: `sr-${randomBytes(5).toString('hex')}`, createdAt: now };
      await writeOne(redis, {
        key: keys.siteRequest(request.id),
        mode: 'create',
        set: Object.fromEntries(Object.entries({ ...request, createdAt: String(now) }).filter(([field, value]) => field !== 'id' && value !== undefined)),
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

    /** Removes it (allowed or dismissed); false when it was already gone. */
    async close(request: SiteRequest, outcome: 'allow' | 'dismiss', actor: Actor, detail: Record<string, unknown> = {}): Promise<boolean> {
      const failure = await writeOne(redis, {
        key: keys.siteRequest(request.id),
        mode: 'delete',
        removeFrom: [[keys.siteRequestsOfSchool(request.school), request.id]],
        audit: { ...who(actor), action: `site-request.${outcome}`, target: request.id, school: request.school, detail: { domain: request.domain, ...detail } },
        change: { entity: 'site-request', id: request.id },
      });
      return failure === undefined;
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
