// NAS clients (access points, controllers), named by address or CIDR, URL-encoded in the path
// (10.0.0.0%2F24). The shared secret is in the answer once, when Mektep generated it.
import { Type } from '@sinclair/typebox';
import { summarize, VENDORS } from '../../store/nas.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Empty, Nas, Page, PageQuery, replies } from '../schemas.js';

const tags = ['nas'];
const Address = Type.Object({ address: Type.String({ maxLength: 64, description: 'IP or CIDR, URL-encoded (10.0.0.0%2F24)' }) });
const settings = {
  school: Type.Optional(Type.String({ maxLength: 63 })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  nasId: Type.Optional(Type.String({ maxLength: 253 })),
  coaPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  requireMessageAuthenticator: Type.Optional(Type.Boolean()),
  secret: Type.Optional(Type.String({ maxLength: 128, description: 'Omit on creation to have one generated (shown once)' })),
  loginUrl: Type.Optional(Type.String({ maxLength: 2000 })),
};
const Vendor = Type.Union(VENDORS.map((vendor) => Type.Literal(vendor)));
const NewNas = Type.Object({ address: Type.String({ maxLength: 64 }), vendor: Vendor, ...settings }, { additionalProperties: false });
const NasChanges = Type.Object({ vendor: Type.Optional(Vendor), ...settings }, { additionalProperties: false, minProperties: 1 });

export const nasRoutes: RouteModule = (api, actions) => {
  api.get('/nas', { schema: { tags, summary: 'Access points in scope', querystring: Type.Object(PageQuery), response: replies({ 200: Page(Nas, 'NasPage') }) } }, async (request) =>
    page(await actions.nas.list(request.principal), request.query));

  api.get('/nas/:address', { schema: { tags, summary: 'One access point (without its secret)', params: Address, response: replies({ 200: Nas }) } }, async (request) =>
    summarize(await actions.nas.get(request.principal, request.params.address)));

  api.post('/nas', {
    schema: { tags, summary: 'Add an access point; without `secret` one is generated and returned once', body: NewNas, response: replies({ 201: Type.Object({ nas: Nas, secret: Type.Optional(Type.String()) }) }) },
  }, async (request, reply) => {
    const { address, ...rest } = request.body;
    return reply.code(201).send(await actions.nas.add(request.principal, address, rest));
  });

  api.patch('/nas/:address', { schema: { tags, summary: 'Change an access point', params: Address, body: NasChanges, response: replies({ 200: Nas }) } }, async (request) =>
    actions.nas.set(request.principal, request.params.address, request.body));

  api.delete('/nas/:address', { schema: { tags, summary: 'Remove an access point', params: Address, response: replies({ 204: Empty }) } }, async (request, reply) => {
    await actions.nas.remove(request.principal, request.params.address);
    return reply.code(204).send(null);
  });
};
