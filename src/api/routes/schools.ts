// Schools: region admins add and change them; everyone else sees their own.
import { Type } from '@sinclair/typebox';
import { NotFoundError } from '../../errors.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Page, PageQuery, replies, School } from '../schemas.js';

const tags = ['schools'];
const Id = Type.Object({ id: Type.String({ maxLength: 63 }) });
const NewSchool = Type.Object({ id: Type.String({ maxLength: 63 }), name: Type.String({ maxLength: 200 }), timezone: Type.Optional(Type.String({ maxLength: 64 })), mschapv2: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const SchoolChanges = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), timezone: Type.Optional(Type.String({ maxLength: 64 })), mschapv2: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 });

export const schoolRoutes: RouteModule = (api, actions) => {
  api.get('/schools', { schema: { tags, summary: 'Schools the token may see', querystring: Type.Object(PageQuery), response: replies({ 200: Page(School, 'SchoolPage') }) } }, async (request) =>
    page(await actions.schools.list(request.principal), request.query));

  api.get('/schools/:id', { schema: { tags, summary: 'One school', params: Id, response: replies({ 200: School }) } }, async (request) => {
    const school = (await actions.schools.list(request.principal)).find((candidate) => candidate.id === request.params.id);
    if (!school) throw new NotFoundError(`school "${request.params.id}" does not exist`);
    return school;
  });

  api.post('/schools', { schema: { tags, summary: 'Add a school (region admins)', body: NewSchool, response: replies({ 201: School }) } }, async (request, reply) =>
    reply.code(201).send(await actions.schools.add(request.principal, request.body)));

  api.patch('/schools/:id', { schema: { tags, summary: 'Change a school (region admins)', params: Id, body: SchoolChanges, response: replies({ 200: School }) } }, async (request) =>
    (await actions.schools.set(request.principal, request.params.id, request.body)).school);
};
