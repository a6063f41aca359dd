// Schools: region admins add and change them; everyone else sees their own.
import { Type, type Static } from '@sinclair/typebox';
import { NotFoundError, ValidationError } from '../../errors.js';
import { parseDuration, parseRate } from '../../policy/units.js';
import { logoDataUri, type SchoolChanges } from '../../store/schools.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Page, PageQuery, replies, School } from '../schemas.js';

const tags = ['schools'];
const Id = Type.Object({ id: Type.String({ maxLength: 63 }) });
const NewSchool = Type.Object({ id: Type.String({ maxLength: 63 }), name: Type.String({ maxLength: 200 }), timezone: Type.Optional(Type.String({ maxLength: 64 })), mschapv2: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const SchoolChanges = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  timezone: Type.Optional(Type.String({ maxLength: 64 })),
  mschapv2: Type.Optional(Type.Boolean({ description: 'Turning it off deletes the NT hashes of the school’s users' })),
  colour: Type.Optional(Type.Union([Type.String({ maxLength: 7, description: '#rrggbb; white text on it must reach 4.5:1' }), Type.Null()])),
  uplink: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ maxLength: 40 }), Type.Null()], { description: 'bit/s, or "1Gbit/s"' })),
  logo: Type.Optional(Type.Union([Type.String({ maxLength: 8000, description: 'data:image/png;base64,… or data:image/svg+xml;base64,… (at most 4 KB)' }), Type.Null()])),
  ssid: Type.Optional(Type.Union([Type.String({ maxLength: 32, description: 'The Wi-Fi network name printed on voucher sheets' }), Type.Null()])),
  voucherMax: Type.Optional(Type.Union([Type.Integer({ minimum: 60 }), Type.String({ maxLength: 20 }), Type.Null()], { description: 'The longest voucher a teacher may issue: seconds, or "8h"' })),
}, { additionalProperties: false, minProperties: 1 });

const LOGO = /^data:image\/(png|svg\+xml);base64,([A-Za-z0-9+/]+={0,2})$/;

/** The changes as the school service takes them: null clears (an empty logo, colour or SSID, an uplink or voucher maximum of 0). */
function schoolChanges(body: Static<typeof SchoolChanges>): SchoolChanges {
  const { colour, uplink, logo, ssid, voucherMax, ...rest } = body;
  const changes: SchoolChanges = { ...rest };
  if (colour !== undefined) changes.colour = colour ?? '';
  if (ssid !== undefined) changes.ssid = ssid ?? '';
  if (voucherMax !== undefined) changes.voucherMax = voucherMax === null ? 0 : typeof voucherMax === 'number' ? voucherMax : parseDuration(voucherMax);
  if (uplink !== undefined) changes.uplink = uplink === null ? 0 : typeof uplink === 'number' ? uplink : parseRate(uplink);
  if (logo === null) changes.logo = '';
  else if (logo !== undefined) {
    const match = LOGO.exec(logo);
    if (!match) throw new ValidationError('the logo must be a data: URI of a PNG or SVG image, base64-encoded');
    changes.logo = logoDataUri(Buffer.from(match[2]!, 'base64'), match[1] === 'png' ? 'logo.png' : 'logo.svg');
  }
  return changes;
}

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
    (await actions.schools.set(request.principal, request.params.id, schoolChanges(request.body))).school);
};
