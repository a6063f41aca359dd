// Content filtering: profiles (region-wide, with school overrides), category lists (imported here
// as text/plain up to CATEGORY_UPLOAD_MAX_BYTES, or with the CLI) and network → school/profile mappings.
import { Type } from '@sinclair/typebox';
import { ContentProfileSchema } from '../../policy/content.js';
import { CATEGORY_UPLOAD_MAX_BYTES } from '../../services/content.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { ContentCategory, ContentImportReport, ContentNetwork, ContentProfileView, Empty, Page, PageQuery, replies } from '../schemas.js';

const tags = ['content'];
const School = { school: Type.Optional(Type.String({ maxLength: 63, description: "A school's override" })) };
const Name = Type.Object({ name: Type.String({ maxLength: 63 }) });
const ProfileChanges = Type.Partial(ContentProfileSchema, { additionalProperties: false, minProperties: 1 });
const NewNetwork = Type.Object({ network: Type.String({ maxLength: 64, description: 'CIDR or address' }), profile: Type.String({ maxLength: 63 }), school: Type.Optional(Type.String({ maxLength: 63 })) }, { additionalProperties: false });

export const contentRoutes: RouteModule = (api, actions) => {
  api.get('/content/profiles', { schema: { tags, summary: 'Content profile ids ("name", or "name@school" for an override)', querystring: Type.Object(PageQuery), response: replies({ 200: Page(Type.String(), 'ContentProfileIdPage') }) } }, async (request) =>
    page(await actions.content.listProfiles(request.principal), request.query));

  api.get('/content/profiles/:name', { schema: { tags, summary: 'A content profile, with a school’s override applied', params: Name, querystring: Type.Object(School), response: replies({ 200: ContentProfileView }) } }, async (request) =>
    actions.content.viewProfile(request.principal, request.params.name, request.query.school));

  api.patch('/content/profiles/:name', { schema: { tags, summary: 'Change a content profile (or a school’s override)', params: Name, querystring: Type.Object(School), body: ProfileChanges, response: replies({ 200: ContentProfileView }) } }, async (request) =>
    actions.content.setProfile(request.principal, request.params.name, request.query.school, request.body));

  api.get('/content/categories', { schema: { tags, summary: 'Category lists', querystring: Type.Object(PageQuery), response: replies({ 200: Page(ContentCategory, 'ContentCategoryPage') }) } }, async (request) =>
    page(await actions.content.listCategories(request.principal), request.query));

  api.put('/content/categories/:name', {
    bodyLimit: CATEGORY_UPLOAD_MAX_BYTES,
    schema: {
      tags, summary: 'Import a category list (region admins)',
      description: `A hosts file, plain names one a line, *.name wildcards or Adblock ||name^ rules, at most ${CATEGORY_UPLOAD_MAX_BYTES / 1024 / 1024} MB; added to the category, or replacing it with ?replace=true. The report of \`mektep content import\`.`,
      consumes: ['text/plain'], params: Name, querystring: Type.Object({ replace: Type.Optional(Type.Boolean({ default: false })) }),
      body: Type.String({ description: 'The list file' }), response: replies({ 200: ContentImportReport }),
    },
  }, async (request) => {
    const report = await actions.content.importCategory(request.principal, request.params.name, request.body, request.query.replace === true);
    request.log.info({ category: report.category, lines: report.lines, kept: report.kept, refused: report.refused }, 'api: category list imported');
    return report;
  });

  api.get('/content/networks', { schema: { tags, summary: 'Network mappings in scope', querystring: Type.Object(PageQuery), response: replies({ 200: Page(ContentNetwork, 'ContentNetworkPage') }) } }, async (request) =>
    page(await actions.content.listNetworks(request.principal), request.query));

  api.post('/content/networks', { schema: { tags, summary: 'Map a network to a school and profile', body: NewNetwork, response: replies({ 201: ContentNetwork }) } }, async (request, reply) =>
    reply.code(201).send(await actions.content.addNetwork(request.principal, request.body.network, request.body.school, request.body.profile)));

  api.delete('/content/networks/:network', { schema: { tags, summary: 'Remove a network mapping', params: Type.Object({ network: Type.String({ maxLength: 64, description: 'URL-encoded (10.20.0.0%2F16)' }) }), response: replies({ 204: Empty }) } }, async (request, reply) => {
    await actions.content.removeNetwork(request.principal, request.params.network);
    return reply.code(204).send(null);
  });
};
