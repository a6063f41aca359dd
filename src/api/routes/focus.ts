// Lesson focus: a teacher (their school), school and region admins start focus for access points,
// a group or listed students; list the running ones; stop one.
import { Type } from '@sinclair/typebox';
import type { Focus as StoredFocus } from '../../store/focus.js';
import type { RouteModule } from '../context.js';
import { Empty, replies } from '../schemas.js';

const tags = ['focus'];
const Str = Type.String();
const Names = (max: number, description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 253 }), { maxItems: max, description }));

const Focus = Type.Object({
  id: Str, school: Str, name: Str, nas: Type.Array(Str), users: Type.Array(Str), group: Type.Optional(Str), allow: Type.Array(Str),
  startedBy: Str, startedAt: Str, until: Str,
}, { title: 'Focus' });

const NewFocus = Type.Object({
  school: Type.Optional(Type.String({ maxLength: 63 })),
  nas: Names(500, 'NAS addresses whose devices are in focus'),
  group: Type.Optional(Type.String({ maxLength: 63, description: 'A group of the school (mektep group)' })),
  users: Names(500, 'Usernames in focus'),
  minutes: Type.Integer({ minimum: 1, maximum: 360 }),
  allow: Type.Array(Type.String({ maxLength: 253 }), { minItems: 1, maxItems: 50, description: 'Sites (and their subdomains) that still resolve' }),
  name: Type.Optional(Type.String({ maxLength: 80, description: 'The lesson, shown on the block page' })),
}, { additionalProperties: false });

const shape = (focus: StoredFocus) => ({ ...focus, startedAt: new Date(focus.startedAt).toISOString(), until: new Date(focus.until).toISOString() });

export const focusRoutes: RouteModule = (api, actions) => {
  api.get('/focus', { schema: { tags, summary: 'Lesson focuses running now, in scope', querystring: Type.Object({ school: Type.Optional(Type.String({ maxLength: 63 })) }), response: replies({ 200: Type.Array(Focus) }) } }, async (request) =>
    (await actions.focus.list(request.principal, request.query.school)).map(shape));

  api.post('/focus', { schema: { tags, summary: 'Start lesson focus (name exactly one of nas, group, users)', body: NewFocus, response: replies({ 201: Focus }) } }, async (request, reply) =>
    reply.code(201).send(shape(await actions.focus.start(request.principal, request.body))));

  api.delete('/focus/:id', { schema: { tags, summary: 'Stop a lesson focus now', params: Type.Object({ id: Type.String({ maxLength: 32 }) }), response: replies({ 204: Empty }) } }, async (request, reply) => {
    await actions.focus.stop(request.principal, request.params.id);
    return reply.code(204).send(null);
  });
};
