// The block page (docs/content.md): a blocked name resolves to Mektep, so the browser asks us for
// a page of another host. For a device online at a school (a live session on its address), any
// GET of a host that is not PUBLIC_URL's answers the block page: which site, why (the category,
// the rule, or lesson focus with the lesson and its end in the school's zone), in the person's
// language, with a "request access" form (POST /blocked/request, CSRF) recording a site request
// for the Host it is posted to (the blocked name) with the resolver's reason, never for what a
// form says (services/site-requests.ts refuses a name not blocked for the device).
// OS probes, RFC 8908 and the portal's own host come first and are never touched; so is a device
// without a session (the captive flow); nothing here runs when the resolver is off.
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ruleLabel, type ContentDecision } from '../../policy/content.js';
import { fill } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import { ValidationError } from '../../errors.js';
import { createSiteRequestService, grantableName } from '../../services/site-requests.js';
import { messagesOf, renderPage } from '../render.js';
import { SAFE_METHODS } from '../same-origin.js';
import type { PortalAddress } from '../urls.js';

/** Answered by probes.ts whatever the host: the OS checks of every platform and RFC 8908. */
const PROBE_PATHS = new Set(['/generate_204', '/gen_204', '/hotspot-detect.html', '/library/test/success.html', '/connecttest.txt', '/ncsi.txt', '/canonical.html', '/success.txt', '/redirect', '/api/captive']);
/** The block page's form; plugins/portal.ts takes its POST under a blocked site's name. */
export const REQUEST_PATH = '/blocked/request';
const REQUEST_BODY = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 300 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });

function reasonOf(decision: ContentDecision, t: ReturnType<typeof messagesOf>, time: (at: number) => string): string {
  if (decision.action !== 'block') return t.blockNotBlocked;
  switch (decision.rule) {
    case 'focus': return fill(t.blockReasonFocus, { lesson: decision.lesson, time: time(decision.until) });
    case 'category': return fill(t.blockReasonCategory, { category: decision.category });
    case 'allow-only': return t.blockReasonAllowOnly;
    case 'safesearch-unavailable': return t.blockReasonSafeSearch;
    case 'block-domain': return t.blockReasonDomain;
  }
}

/** A name that is not the portal's own (PUBLIC_URL's host, localhost or an address): a blocked
 * site's, or a rebinding page's. */
export function foreignName(hostname: string, ownHost: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  return host !== '' && host !== ownHost && host !== 'localhost' && isIP(host) === 0 ? host : undefined;
}

/** DNS rebinding: a page under another name pointed at the portal posts with that name as Host
 * and Origin, same-origin to the browser. The page's name (Origin, else Referer, else Host: a
 * proxy may rewrite Host, a browser's Origin it cannot) must be the portal's own; under a foreign
 * name only the block page's form is taken (and only for a name blocked for the device:
 * services/site-requests.ts), never sign-in or sign-out. */
export function foreignPostReason(request: FastifyRequest, ownHost: string): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const from = request.headers.origin ?? request.headers.referer;
  const name = foreignName(from !== undefined && URL.canParse(from) ? new URL(from).hostname : request.hostname, ownHost);
  return name === undefined || request.url.split('?')[0] === REQUEST_PATH ? undefined : `page under ${name}`;
}

export function blockRoutes(app: FastifyInstance, portal: PortalAddress) {
  const siteRequests = createSiteRequestService({ ...app.store, explain: (ip, name) => (app.dns ? app.dns.explain(ip, name) : Promise.resolve(undefined)), log: app.log.child({ component: 'portal' }) });
  const foreign = (request: FastifyRequest) => foreignName(request.hostname, portal.hostname);

  async function blockPage(request: FastifyRequest, reply: FastifyReply, host: string) {
    const t = messagesOf(request);
    const explained = await app.dns!.explain(request.ip, host);
    const school = explained.who?.school;
    const zone = app.services.schools.timeZone(school);
    const language = languageOf(request);
    const time = (at: number) => new Intl.DateTimeFormat(language, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
    const blocked = explained.decision.action === 'block';
    // A public suffix (com.kz) is never granted: no button that could only be refused.
    const requestable = blocked && grantableName(host) !== undefined;
    request.log.info({ client: request.ip, profile: explained.profile, rule: ruleLabel(explained.decision) }, 'block page shown');
    return renderPage(request, reply, {
      template: 'portal/block.eta',
      status: blocked ? 403 : 200,
      school: app.services.schools.get(school),
      data: { site: host, reason: reasonOf(explained.decision, t, time), blocked: requestable },
    });
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!app.dns || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const path = request.url.split('?')[0] ?? '/';
    if (PROBE_PATHS.has(path)) return;
    const host = foreign(request);
    if (!host || !(await app.store.sessions.byIp(undefined, request.ip))) return;
    return blockPage(request, reply, host);
  });

  app.post<{ Body: Static<typeof REQUEST_BODY> }>(REQUEST_PATH, { schema: { body: REQUEST_BODY } }, async (request, reply) => {
    const t = messagesOf(request);
    const domain = foreign(request) ?? request.hostname;
    const said = (message: string, status: number) => renderPage(request, reply, { template: 'portal/message.eta', status, data: { heading: t.blockTitle, message } });
    try {
      await siteRequests.create({ kind: 'portal', ip: request.ip }, { domain, reason: request.body.reason });
    } catch (error) {
      // Refused by the service (and logged there): a public suffix, or a stale page of a name no longer blocked.
      if (error instanceof ValidationError) return said(grantableName(domain) ? t.blockNotBlocked : t.blockNotRequestable, 400);
      throw error;
    }
    return said(t.blockRequested, 200);
  });
}
