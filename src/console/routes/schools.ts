// /console/schools (region admins): every school; add one; change its name, time zone, uplink
// capacity, and the logo and colour its portal shows. The school service checks the principal.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { formatNumber } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import { parseDuration } from '../../policy/units.js';
import { DEFAULT_TIMEZONE, logoDataUri, type SchoolChanges } from '../../store/schools.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { parseMultipart } from '../multipart.js';
import { consoleMessages } from '../render.js';

/** The portal's own colour (views/layouts/portal.eta): choosing it means "no colour of its own". */
export const DEFAULT_PORTAL_COLOUR = '#0b4f8a';
const MBIT = 1_000_000;

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ID = Type.Object({ id: Type.String({ maxLength: 63 }) });
const QUERY = Type.Object({ done: FIELD(32), lang: FIELD(8) });
const ADD_BODY = Type.Object({ _csrf: FIELD(512), id: FIELD(63), name: FIELD(200), timezone: FIELD(64), lang: FIELD(8) });
const EDIT_BODY = Type.Object({
  _csrf: FIELD(512), name: FIELD(200), timezone: FIELD(64), uplink: FIELD(12), ssid: FIELD(64), voucherMax: FIELD(40), colour: FIELD(16), removeLogo: FIELD(8), lang: FIELD(8),
  // base64 of at most a few KB (the store says exactly how many bytes are allowed) and its file name.
  logo: FIELD(16 * 1024), logoName: FIELD(255),
});
type EditBody = Static<typeof EDIT_BODY>;

const TIMEZONES = Intl.supportedValuesOf('timeZone');

function regionOnly(request: FastifyRequest): void {
  if (request.signedIn!.principal.kind !== 'region-admin') throw new ForbiddenError('only a region admin manages schools');
}

function changesOf(body: EditBody, had: { colour?: string | undefined }): SchoolChanges {
  const changes: SchoolChanges = {};
  if (body.name !== undefined) changes.name = body.name;
  if (body.timezone) changes.timezone = body.timezone;
  if (body.uplink !== undefined) {
    const mbit = body.uplink.trim() === '' ? 0 : Number(body.uplink.trim().replace(',', '.'));
    if (!Number.isFinite(mbit) || mbit < 0) throw new ValidationError(`the uplink capacity "${body.uplink}" must be a number of Mbit/s`);
    changes.uplink = Math.round(mbit * MBIT);
  }
  // The Wi-Fi name on voucher sheets and a teacher's longest voucher; blank clears them.
  if (body.ssid !== undefined) changes.ssid = body.ssid.trim();
  if (body.voucherMax !== undefined) changes.voucherMax = body.voucherMax.trim() === '' ? 0 : parseDuration(body.voucherMax);
  if (body.colour !== undefined && (had.colour !== undefined || body.colour.toLowerCase() !== DEFAULT_PORTAL_COLOUR)) changes.colour = body.colour;
  if (body.removeLogo) changes.logo = '';
  else if (body.logo) changes.logo = logoDataUri(Buffer.from(body.logo, 'base64'), body.logoName ?? '');
  return changes;
}

export function schoolRoutes(app: FastifyInstance, kit: ConsoleKit) {
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch (error) {
      done(error as Error);
    }
  });

  async function listPage(request: FastifyRequest, reply: FastifyReply, options: { status?: number; error?: FormError; form?: Record<string, string> } = {}) {
    const t = consoleMessages(request);
    const lang = languageOf(request);
    const schools = (await kit.services.schools.list(request.signedIn!.principal))
      .map((school) => ({ ...school, uplinkShown: school.uplink === undefined ? t.notSet : formatNumber(lang, school.uplink / MBIT) }));
    return kit.render(request, reply, {
      template: 'console/schools.eta', status: options.status ?? 200, title: t.navSchools,
      data: { schools, error: options.error, timezones: TIMEZONES, form: { id: '', name: '', timezone: DEFAULT_TIMEZONE, ...options.form } },
    });
  }

  async function editPage(request: FastifyRequest, reply: FastifyReply, id: string, options: { status?: number; error?: FormError; notice?: string } = {}) {
    const school = (await kit.services.schools.list(request.signedIn!.principal)).find((candidate) => candidate.id === id);
    if (!school) throw new NotFoundError(`school "${id}" does not exist`);
    const uplinkMbit = school.uplink === undefined ? '' : String(school.uplink / MBIT);
    return kit.render(request, reply, {
      template: 'console/school.eta', status: options.status ?? 200, title: school.name,
      data: { school, uplinkMbit, voucherMax: school.voucherMax === undefined ? '' : school.voucherMax % 3600 === 0 ? `${school.voucherMax / 3600}h` : `${Math.round(school.voucherMax / 60)}m`, colour: school.colour ?? DEFAULT_PORTAL_COLOUR, timezones: TIMEZONES, ...options },
    });
  }

  app.get('/schools', async (request, reply) => {
    regionOnly(request);
    return listPage(request, reply);
  });

  app.post<{ Body: Static<typeof ADD_BODY> }>('/schools', { schema: { body: ADD_BODY } }, async (request, reply) => {
    regionOnly(request);
    const form = { id: request.body.id ?? '', name: request.body.name ?? '', timezone: request.body.timezone || DEFAULT_TIMEZONE };
    try {
      const school = await kit.services.schools.add(request.signedIn!.principal, form);
      return reply.redirect(`/console/schools/${encodeURIComponent(school.id)}?done=schoolAdded`, 303);
    } catch (error) {
      return listPage(request, reply, { status: 400, error: formError(error, consoleMessages(request), request.log), form });
    }
  });

  app.get<{ Params: Static<typeof ID>; Querystring: Static<typeof QUERY> }>('/schools/:id', { schema: { params: ID, querystring: QUERY } }, async (request, reply) => {
    regionOnly(request);
    const t = consoleMessages(request);
    return editPage(request, reply, request.params.id, { notice: notice(request.query.done, ['schoolAdded', 'schoolSaved'], t, { id: request.params.id }) });
  });

  app.post<{ Params: Static<typeof ID>; Body: EditBody }>('/schools/:id', { schema: { params: ID, body: EDIT_BODY } }, async (request, reply) => {
    regionOnly(request);
    const { principal } = request.signedIn!;
    const school = (await kit.services.schools.list(principal)).find((candidate) => candidate.id === request.params.id);
    if (!school) throw new NotFoundError(`school "${request.params.id}" does not exist`);
    try {
      await kit.services.schools.set(principal, school.id, changesOf(request.body, school));
    } catch (error) {
      return editPage(request, reply, school.id, { status: 400, error: formError(error, consoleMessages(request), request.log) });
    }
    return reply.redirect(`/console/schools/${encodeURIComponent(school.id)}?done=schoolSaved`, 303);
  });
}
