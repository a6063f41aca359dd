// /console/nas (region admins: every access point; school admins: their school's): the NAS
// clients with vendor, school, NAS-Identifier, CoA port and when each was last heard; add one
// (its shared secret generated and shown once, with the setup snippet holding it), edit, remove
// after a confirmation, and the copy-paste setup for its vendor (src/vendors/snippets.ts, the
// same text as `mektep nas snippet`), built from PUBLIC_URL and the RADIUS address.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { formatDateTime } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import type { Principal } from '../../services/principal.js';
import { VENDORS, type NasClient, type NasSettings, type NasSummary, type Vendor } from '../../store/nas.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { radiusAddressOf, SECRET_PLACEHOLDER, setupSnippets } from '../../vendors/snippets.js';
import { formError, notice, type FormError } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const ADDRESS = Type.Object({ address: Type.String({ maxLength: 64 }) });
const QUERY = Type.Object({ done: FIELD(16), who: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f.:/]{1,64}$' })), lang: FIELD(8) });
const SETTINGS = { name: FIELD(200), vendor: FIELD(16), school: FIELD(63), nasId: FIELD(253), coaPort: FIELD(5) };
const ADD_BODY = Type.Object({ _csrf: FIELD(512), address: FIELD(64), ...SETTINGS, lang: FIELD(8) });
const EDIT_BODY = Type.Object({ _csrf: FIELD(512), ...SETTINGS, lang: FIELD(8) });
const PLAIN_BODY = Type.Object({ _csrf: FIELD(512), lang: FIELD(8) });
type SettingsBody = Static<typeof EDIT_BODY>;

function managersOnly(principal: Principal): void {
  if (principal.kind === 'teacher') throw new ForbiddenError('a teacher may not manage access points');
}

/** The form's settings; blank text fields are left as they are. */
function settingsOf(body: SettingsBody): NasSettings {
  const settings: NasSettings = {};
  if (body.vendor) {
    if (!(VENDORS as readonly string[]).includes(body.vendor)) throw new ValidationError(`vendor "${body.vendor}" is not one of ${VENDORS.join(', ')}`);
    settings.vendor = body.vendor as Vendor;
  }
  if (body.name?.trim()) settings.name = body.name.trim();
  if (body.school) settings.school = body.school;
  if (body.nasId?.trim()) settings.nasId = body.nasId.trim();
  if (body.coaPort?.trim()) {
    if (!/^\d{1,5}$/.test(body.coaPort.trim())) throw new ValidationError('the CoA port must be a port number, e.g. 3799');
    settings.coaPort = Number(body.coaPort.trim());
  }
  return settings;
}

export interface NasPageOptions {
  config: Pick<Config, 'publicUrl' | 'radius'>;
}

export function nasRoutes(app: FastifyInstance, kit: ConsoleKit, { config }: NasPageOptions) {
  const radiusAddress = radiusAddressOf(config.radius.host, config.publicUrl);
  // The ports the listeners are bound to (the configured ones, or what the kernel chose for 0).
  const snippetsOf = (nas: Pick<NasClient, 'vendor' | 'address' | 'coaPort' | 'nasId'>, secret: string) =>
    setupSnippets(nas.vendor, { publicUrl: config.publicUrl, radiusAddress, authPort: app.radius.auth.port(), acctPort: app.radius.acct.port(), secret, nas });
  const detailHref = (address: string) => `/console/nas/${encodeURIComponent(address)}`;

  async function listPage(request: FastifyRequest, reply: FastifyReply, options: { status?: number; error?: FormError; notice?: string; form?: Record<string, string> } = {}) {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const t = consoleMessages(request);
    const lang = languageOf(request);
    const [clients, seen, schools] = await Promise.all([kit.services.nas.list(principal), kit.services.nas.lastSeen(principal), kit.services.schools.list(principal)]);
    const zoneOf = new Map(schools.map((school) => [school.id, school.timezone]));
    const rows = clients.map((nas) => ({
      ...nas,
      href: detailHref(nas.address),
      lastSeen: seen[nas.address] === undefined ? t.nasNeverSeen : formatDateTime(lang, seen[nas.address]!, zoneOf.get(nas.school ?? '') ?? DEFAULT_TIMEZONE),
    }));
    return kit.render(request, reply, {
      template: 'console/nas.eta', status: options.status ?? 200, title: t.navNas,
      data: { rows, vendors: VENDORS, schools, regionWide: principal.kind === 'region-admin', error: options.error, notice: options.notice, form: { address: '', name: '', vendor: 'mikrotik', school: '', nasId: '', coaPort: '3799', ...options.form } },
    });
  }

  async function detailPage(request: FastifyRequest, reply: FastifyReply, address: string, options: { status?: number; error?: FormError; notice?: string; secret?: string } = {}) {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const nas = await kit.services.nas.get(principal, address);
    const { secret: _secret, uamSecret: _uam, controllerPassword: _password, ...shown } = nas;
    const summary: Omit<NasSummary, 'hasUamSecret' | 'hasControllerPassword'> = shown;
    return kit.render(request, reply, {
      template: 'console/nas-detail.eta', status: options.status ?? 200, title: nas.name ?? nas.address,
      data: {
        nas: summary, href: detailHref(nas.address), vendors: VENDORS, schools: await kit.services.schools.list(principal), regionWide: principal.kind === 'region-admin',
        // The secret is in the snippet only on the page that created it; afterwards a placeholder.
        snippets: snippetsOf(nas, options.secret ?? SECRET_PLACEHOLDER), secret: options.secret, placeholder: SECRET_PLACEHOLDER,
        publicUrl: config.publicUrl, radiusAddress, error: options.error, notice: options.notice,
      },
    });
  }

  app.get<{ Querystring: Static<typeof QUERY> }>('/nas', { schema: { querystring: QUERY } }, async (request, reply) =>
    listPage(request, reply, { notice: notice(request.query.done, ['nasRemoved'], consoleMessages(request), { address: request.query.who ?? '' }) }));

  app.post<{ Body: Static<typeof ADD_BODY> }>('/nas', { schema: { body: ADD_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const body = request.body;
    const t = consoleMessages(request);
    const form = { address: body.address ?? '', name: body.name ?? '', vendor: body.vendor ?? '', school: body.school ?? '', nasId: body.nasId ?? '', coaPort: body.coaPort ?? '' };
    try {
      const { vendor, ...settings } = settingsOf(body);
      const added = await kit.services.nas.add(principal, form.address, { ...settings, vendor: vendor ?? 'generic' });
      request.log.info({ actor: request.signedIn!.account.username, nas: added.nas.address, vendor: added.nas.vendor, school: added.nas.school }, 'console: access point added');
      return detailPage(request, reply, added.nas.address, { status: 201, notice: t.nasAdded, secret: added.secret! });
    } catch (error) {
      return listPage(request, reply, { status: 400, error: formError(error, t, request.log), form });
    }
  });

  app.get<{ Params: Static<typeof ADDRESS>; Querystring: Static<typeof QUERY> }>('/nas/:address', { schema: { params: ADDRESS, querystring: QUERY } }, async (request, reply) =>
    detailPage(request, reply, request.params.address, { notice: request.query.done === 'saved' ? consoleMessages(request).nasSaved : undefined }));

  app.post<{ Params: Static<typeof ADDRESS>; Body: SettingsBody }>('/nas/:address', { schema: { params: ADDRESS, body: EDIT_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    let saved;
    try {
      saved = await kit.services.nas.set(principal, request.params.address, settingsOf(request.body));
    } catch (error) {
      return detailPage(request, reply, request.params.address, { status: 400, error: formError(error, consoleMessages(request), request.log) });
    }
    return reply.redirect(`${detailHref(saved.address)}?done=saved`, 303);
  });

  app.get<{ Params: Static<typeof ADDRESS> }>('/nas/:address/remove', { schema: { params: ADDRESS } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const nas = await kit.services.nas.get(principal, request.params.address);
    const t = consoleMessages(request);
    return kit.render(request, reply, { template: 'console/nas-remove.eta', title: t.nasRemove, data: { nas: { address: nas.address, name: nas.name }, href: detailHref(nas.address) } });
  });

  app.post<{ Params: Static<typeof ADDRESS>; Body: Static<typeof PLAIN_BODY> }>('/nas/:address/remove', { schema: { params: ADDRESS, body: PLAIN_BODY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    managersOnly(principal);
    const removed = await kit.services.nas.remove(principal, request.params.address);
    request.log.info({ actor: request.signedIn!.account.username, nas: removed }, 'console: access point removed');
    return reply.redirect(`/console/nas?${new URLSearchParams({ done: 'nasRemoved', who: removed }).toString()}`, 303);
  });
}
