// /console/content (school admins: their school; region admins: any; teachers: 403 from the
// services): the content profiles as they apply at the school (blocked categories and domains,
// allowed domains, SafeSearch, YouTube, allow-only), the category lists (names, sizes, last
// import; a region admin uploads a list file of up to CATEGORY_UPLOAD_MAX_BYTES, streamed into
// the CLI's importer, and sees its report; bigger lists: the CLI, the page shows the command),
// the network mappings, and the school's query log: on with a retention, off (deletes it), and
// its newest entries filtered by user or domain. A school admin changes their school's override
// of a profile and its networks; a region admin also the region-wide profile.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fill } from '../../i18n/languages.js';
import { formatDateTime } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import { CATEGORY_UPLOAD_MAX_BYTES } from '../../services/content.js';
import { allow, confinedTo, REGION_WIDE } from '../../services/principal.js';
import type { CategoryImport } from '../../store/content-categories.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import type { ConsoleKit } from '../kit.js';
import { readMultipartText } from '../multipart.js';
import { consoleMessages } from '../render.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const QUERY = Type.Object({ done: FIELD(32), school: FIELD(63), user: FIELD(64), domain: FIELD(253), lang: FIELD(8) });
const PROFILE_BODY = Type.Object({
  _csrf: FIELD(512), school: FIELD(63), region: FIELD(2), name: Type.String({ maxLength: 63 }), blockCategories: FIELD(2000), blockDomains: FIELD(20_000), allowDomains: FIELD(20_000),
  safeSearch: FIELD(3), youtube: FIELD(8), allowOnly: FIELD(3), lang: FIELD(8),
});
const NETWORK_BODY = Type.Object({ _csrf: FIELD(512), school: FIELD(63), network: Type.String({ maxLength: 64 }), profile: FIELD(63), remove: FIELD(2), lang: FIELD(8) });
const list = (value: string | undefined) => (value ?? '').split(/[,\s]+/).map((entry) => entry.trim()).filter(Boolean);
const back = (school: string | undefined, anchor: string) => `/console/content?${new URLSearchParams({ done: 'contentSaved', ...(school ? { school } : {}) }).toString()}#${anchor}`;
const LOG_BODY = Type.Object({ _csrf: FIELD(512), school: FIELD(63), days: FIELD(2), turn: Type.Union([Type.Literal('on'), Type.Literal('off')]), lang: FIELD(8) });
// The list itself has no maxLength: the stream reader bounds it, and a schema would scan it again.
const UPLOAD_BODY = Type.Object({ _csrf: FIELD(512), category: Type.String({ maxLength: 63 }), replace: FIELD(2), list: Type.Optional(Type.String()), listName: FIELD(255), tooLarge: FIELD(1), lang: FIELD(8) });
const MAX_MB = String(CATEGORY_UPLOAD_MAX_BYTES / 1024 / 1024);

type Upload = { report: CategoryImport } | { error: 'contentUploadTooLarge' | 'contentUploadNoFile' };

export function contentRoutes(app: FastifyInstance, kit: ConsoleKit) {
  async function page(request: FastifyRequest<{ Querystring: Static<typeof QUERY> }>, reply: FastifyReply, upload?: Upload) {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const schools = await kit.services.schools.list(principal);
    const school = confinedTo(principal) ?? request.query.school ?? schools[0]?.id;
    const zone = schools.find((candidate) => candidate.id === school)?.timezone ?? DEFAULT_TIMEZONE;
    const names = await kit.services.content.listProfiles(principal);
    const profiles = await Promise.all(names.map((name) => kit.services.content.viewProfile(principal, name, school)));
    const [categories, networks] = await Promise.all([kit.services.content.listCategories(principal), kit.services.content.listNetworks(principal)]);
    const setting = school ? await kit.services.queryLog.setting(principal, school) : undefined;
    const filter = { ...(request.query.user ? { user: request.query.user } : {}), ...(request.query.domain ? { domain: request.query.domain } : {}), count: 200 };
    const entries = setting?.days ? await kit.services.queryLog.read(principal, school, filter) : [];
    const report = upload && 'report' in upload ? upload.report : undefined;
    return kit.render(request, reply, {
      template: 'console/content.eta',
      title: t.navContent,
      status: upload && 'error' in upload ? (upload.error === 'contentUploadTooLarge' ? 413 : 400) : 200,
      data: {
        upload: {
          max: fill(t.contentUploadHint, { max: MAX_MB }),
          error: upload && 'error' in upload ? fill(t[upload.error], { max: MAX_MB }) : undefined,
          done: report && fill(t.contentUploadDone, { ...Object.fromEntries(Object.entries(report).map(([field, value]) => [field, String(value)])) }),
          refused: report?.examples ?? [],
        },
        school, schools: principal.kind === 'region-admin' ? schools : [], regionAdmin: principal.kind === 'region-admin',
        notice: request.query.done === 'contentSaved' ? t.contentSaved : undefined,
        profiles: profiles.map((view) => ({ name: view.name, overridden: view.overridden.join(', '), ...view.effective, blockCategories: view.effective.blockCategories.join(', '), blockDomains: view.effective.blockDomains.join(', '), allowDomains: view.effective.allowDomains.join(', ') })),
        categories: categories.map((category) => ({ ...category, updatedAt: category.updatedAt ? formatDateTime(language, category.updatedAt, zone) : '' })),
        networks: networks.filter((network) => !confinedTo(principal) || network.school === school),
        queryLog: { days: setting?.days, user: request.query.user ?? '', domain: request.query.domain ?? '', entries: entries.map((entry) => ({ ...entry, at: formatDateTime(language, entry.at, zone) })) },
      },
    });
  }

  app.get<{ Querystring: Static<typeof QUERY> }>('/content', { schema: { querystring: QUERY } }, async (request, reply) => page(request, reply));

  // Its own scope for the one multipart reader that streams: the console's hooks (sign-in, CSRF
  // on the parsed fields) and error pages are inherited; the buffered logo reader is not.
  app.register(async (uploads) => {
    // Refused before the body is read: a school admin's 200 MB upload is not streamed for nothing.
    uploads.addHook('onRequest', async (request) => {
      if (request.signedIn) allow(request.signedIn.principal, REGION_WIDE, 'import category lists');
    });
    uploads.removeContentTypeParser('multipart/form-data');
    uploads.addContentTypeParser('multipart/form-data', async (request: FastifyRequest, payload: FastifyRequest['raw']) =>
      readMultipartText(payload, request.headers['content-type'] ?? '', CATEGORY_UPLOAD_MAX_BYTES, Number(request.headers['content-length'] ?? 0)));

    uploads.post<{ Body: Static<typeof UPLOAD_BODY>; Querystring: Static<typeof QUERY> }>('/content/categories', { schema: { body: UPLOAD_BODY, querystring: QUERY } }, async (request, reply) => {
      const { body } = request;
      if (body.tooLarge) {
        request.log.info({ category: body.category, limit: CATEGORY_UPLOAD_MAX_BYTES }, 'console: category upload refused, too large');
        return page(request, reply, { error: 'contentUploadTooLarge' });
      }
      if (!body.list) return page(request, reply, { error: 'contentUploadNoFile' });
      const report = await kit.services.content.importCategory(request.signedIn!.principal, body.category, body.list, body.replace === '1');
      request.log.info({ category: report.category, lines: report.lines, kept: report.kept, refused: report.refused, file: body.listName }, 'console: category list imported');
      return page(request, reply, { report });
    });
  });

  app.post<{ Body: Static<typeof PROFILE_BODY> }>('/content/profile', { schema: { body: PROFILE_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const body = request.body;
    const school = body.region === '1' ? undefined : (confinedTo(principal) ?? body.school);
    const fields: Record<string, unknown> = {};
    for (const field of ['blockCategories', 'blockDomains', 'allowDomains'] as const) if (body[field]?.trim()) fields[field] = list(body[field]);
    if (body.safeSearch) fields.safeSearch = body.safeSearch === 'on';
    if (body.allowOnly) fields.allowOnly = body.allowOnly === 'yes';
    if (body.youtube) fields.youtube = body.youtube;
    await kit.services.content.setProfile(principal, body.name, school, fields);
    return reply.redirect(back(body.school, 'profiles'), 303);
  });

  app.post<{ Body: Static<typeof NETWORK_BODY> }>('/content/networks', { schema: { body: NETWORK_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const body = request.body;
    if (body.remove === '1') await kit.services.content.removeNetwork(principal, body.network);
    else await kit.services.content.addNetwork(principal, body.network, confinedTo(principal) ?? body.school, body.profile ?? 'safe');
    return reply.redirect(back(body.school, 'networks'), 303);
  });

  app.post<{ Body: Static<typeof LOG_BODY> }>('/content/query-log', { schema: { body: LOG_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const school = confinedTo(principal) ?? request.body.school;
    if (request.body.turn === 'on') await kit.services.queryLog.enable(principal, school, request.body.days ? Number(request.body.days) : undefined);
    else await kit.services.queryLog.disable(principal, school);
    return reply.redirect(`/console/content?${new URLSearchParams(school ? { school } : {}).toString()}#query-log`, 303);
  });
}
