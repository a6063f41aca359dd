// /console/devices: the devices MAC authentication lets in — school-owned ones an admin
// registered and ones the portal remembered — with who registered each, filtered and paged;
// forgetting one (after a confirmation step) sends its next connection to the portal again.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { formatDateTime } from '../../i18n/format.js';
import { languageOf } from '../../i18n/request.js';
import type { Device } from '../../store/devices.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { notice } from '../forms.js';
import type { ConsoleKit } from '../kit.js';
import { consoleMessages } from '../render.js';

export const DEVICES_PER_PAGE = 50;
export const MAX_DEVICE_PAGE = 200;

const FIELD = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const LIST_QUERY = Type.Object({
  q: FIELD(64), by: Type.Optional(Type.Union([Type.Literal(''), Type.Literal('admin'), Type.Literal('portal')])), school: FIELD(64),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DEVICE_PAGE })), done: FIELD(32), who: FIELD(32), lang: FIELD(8),
});
const MAC_QUERY = Type.Object({ mac: Type.String({ maxLength: 32 }), lang: FIELD(8) });
const FORGET_BODY = Type.Object({ _csrf: FIELD(512), mac: Type.String({ maxLength: 32 }), lang: FIELD(8) });
const NOTICES = ['devicesForgotten'] as const;

export function deviceRoutes(app: FastifyInstance, kit: ConsoleKit) {
  function row(device: Device, language: ReturnType<typeof languageOf>, timeZone: string, t: ReturnType<typeof consoleMessages>) {
    return {
      mac: device.mac, role: device.role, school: device.school ?? '—', user: device.user ?? '—', randomized: device.randomized,
      by: device.registeredBy === 'admin' ? t.devicesByAdmin : t.devicesByPortal,
      until: device.until ? formatDateTime(language, device.until, timeZone) : t.devicesNoEnd,
      added: formatDateTime(language, device.createdAt, timeZone),
    };
  }

  const zoneOf = async (principal: Parameters<typeof kit.services.schools.list>[0], school: string | undefined) =>
    (await kit.services.schools.list(principal)).find((candidate) => candidate.id === school)?.timezone ?? DEFAULT_TIMEZONE;

  app.get<{ Querystring: Static<typeof LIST_QUERY> }>('/devices', { schema: { querystring: LIST_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const language = languageOf(request);
    const query = request.query;
    const search = query.q?.trim().toLowerCase() ?? '';
    const all = await kit.services.devices.list(principal, query.school || undefined);
    const found = all
      .filter((device) => (!query.by || device.registeredBy === query.by) && (!search || device.mac.includes(search) || (device.user ?? '').includes(search)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.mac.localeCompare(b.mac));
    const page = query.page ?? 1;
    const shown = found.slice((page - 1) * DEVICES_PER_PAGE, page * DEVICES_PER_PAGE);
    const own = principal.kind === 'school-admin' ? principal.school : query.school || undefined;
    const timeZone = await zoneOf(principal, own);
    const kept = Object.entries({ q: search, by: query.by ?? '', school: query.school ?? '' }).filter(([, value]) => value);
    const keep = (to: number) => `/console/devices?${new URLSearchParams([...kept, ['page', String(to)]]).toString()}`;
    return kit.render(request, reply, {
      template: 'console/devices.eta',
      title: t.navDevices,
      data: {
        devices: shown.map((device) => row(device, language, timeZone, t)),
        total: found.length,
        previous: page > 1 ? keep(page - 1) : undefined,
        next: page * DEVICES_PER_PAGE < found.length && page < MAX_DEVICE_PAGE ? keep(page + 1) : undefined,
        filter: { q: search, by: query.by ?? '', school: query.school ?? '' },
        schools: principal.kind === 'region-admin' ? await kit.services.schools.list(principal) : [],
        notice: notice(query.done, NOTICES, t, { mac: query.who ?? '' }),
      },
    });
  });

  app.get<{ Querystring: Static<typeof MAC_QUERY> }>('/devices/forget', { schema: { querystring: MAC_QUERY } }, async (request, reply) => {
    const { principal } = request.signedIn!;
    const t = consoleMessages(request);
    const device = await kit.services.devices.get(principal, request.query.mac);
    const timeZone = await zoneOf(principal, device.school);
    return kit.render(request, reply, { template: 'console/devices-forget.eta', title: t.devicesForgetHeading, data: { device: row(device, languageOf(request), timeZone, t) } });
  });

  app.post<{ Body: Static<typeof FORGET_BODY> }>('/devices/forget', { schema: { body: FORGET_BODY } }, async (request, reply) => {
    const mac = await kit.services.devices.forget(request.signedIn!.principal, request.body.mac);
    request.log.info({ user: request.signedIn!.account.username, mac }, 'console: device forgotten');
    return reply.redirect(`/console/devices?${new URLSearchParams({ done: 'devicesForgotten', who: mac }).toString()}`, 303);
  });
}
