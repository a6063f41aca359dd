// Registered and remembered devices (MAC authentication).
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Device, Empty, Page, PageQuery, replies } from '../schemas.js';

const tags = ['devices'];
const NewDevice = Type.Object({
  mac: Type.String({ maxLength: 32 }),
  role: Type.String({ maxLength: 63 }),
  school: Type.Optional(Type.String({ maxLength: 63 })),
  user: Type.Optional(Type.String({ maxLength: 64 })),
  until: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD or an ISO time' })),
}, { additionalProperties: false });

export const deviceRoutes: RouteModule = (api, actions) => {
  api.get('/devices', { schema: { tags, summary: 'Devices in scope', querystring: Type.Object({ school: Type.Optional(Type.String({ maxLength: 63 })), ...PageQuery }), response: replies({ 200: Page(Device, 'DevicePage') }) } }, async (request) =>
    page(await actions.devices.list(request.principal, request.query.school), request.query));

  api.post('/devices', { schema: { tags, summary: 'Register a device', body: NewDevice, response: replies({ 201: Device }) } }, async (request, reply) =>
    reply.code(201).send(await actions.devices.add(request.principal, request.body)));

  api.delete('/devices/:mac', { schema: { tags, summary: 'Forget a device (its next connection needs the portal)', params: Type.Object({ mac: Type.String({ maxLength: 32 }) }), response: replies({ 204: Empty }) } }, async (request, reply) => {
    await actions.devices.forget(request.principal, request.params.mac);
    return reply.code(204).send(null);
  });
};
