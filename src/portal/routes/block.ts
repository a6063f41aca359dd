// The block page (docs/content.md): a blocked name resolves to Mektep, so the browser asks us for
// a page of another host. For a device online at a school (a live session on its address), any
// GET of a host that is not PUBLIC_URL's answers the block page: which site, why (the category,
// the rule, or lesson focus with the lesson and its end in the school's zone), in the person's
// language, with a "request access" form (POST /blocked/request, CSRF) recording a site request.
// OS probes, RFC 8908 and the portal's own host come first and are never touched; so is a device
// without a session (the captive flow); nothing here runs when the resolver is off.
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.js';
import type { ContentDecision } from '../../policy/content.js';
import { fill } from '../../i18n/languages.js';
import { languageOf } from '../../i18n/request.js';
import { createSiteRequestService } from '../../services/site-requests.js';
import { messagesOf, renderPage } from '../render.js';

/** Answered by probes.ts whatever the host: the OS checks of every platform and RFC 8908. */
const PROBE_PATHS = new Set(['/generate_204', '/gen_204', '/hotspot-detect.html', '/library/test/success.html', '/connecttest.txt', '/ncsi.txt', '/canonical.html', '/success.txt', '/redirect', '/api/captive']);
const REQUEST_PATH = '/blocked/request';
const REQUEST_BODY = Type.Object({ site: Type.String({ maxLength: 253 }), rule: Type.String({ maxLength: 64 }), reason: Type.Optional(Type.String({ maxLength: 300 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });

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

const ruleOf = (decision: ContentDecision) => (decision.action === 'block' && decision.rule === 'category' ? decision.category : decision.rule);

export function blockRoutes(app: FastifyInstance, config: Config) {
  const siteRequests = createSiteRequestService({ ...app.store, log: app.log.child({ component: 'portal' }) });
  const ownHost = new URL(config.publicUrl).hostname.toLowerCase();
  const foreign = (request: FastifyRequest) => {
    const host = request.hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
    return host !== '' && host !== ownHost && host !== 'localhost' && isIP(host) === 0 ? host : undefined;
  };

  async function blockPage(request: FastifyRequest, reply: FastifyReply, host: string) {
    const t = messagesOf(request);
    const explained = await app.dns!.explain(request.ip, host);
    const school = explained.who?.school;
    const zone = app.services.schools.timeZone(school);
    const language = languageOf(request);
    const time = (at: number) => new Intl.DateTimeFormat(language, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
    const blocked = explained.decision.action === 'block';
    request.log.info({ client: request.ip, profile: explained.profile, rule: ruleOf(explained.decision) }, 'block page shown');
    return renderPage(request, reply, {
      template: 'portal/block.eta',
      status: blocked ? 403 : 200,
      school: app.services.schools.get(school),
      data: { site: host, reason: reasonOf(explained.decision, t, time), blocked, rule: ruleOf(explained.decision) },
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
    await siteRequests.create({ kind: 'portal', ip: request.ip }, { domain: request.body.site, rule: request.body.rule, ...(request.body.reason ? { reason: request.body.reason } : {}) });
    return renderPage(request, reply, { template: 'portal/message.eta', data: { heading: t.blockTitle, message: t.blockRequested } });
  });
}
