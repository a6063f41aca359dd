// Vouchers: issued by managers for any role, by teachers for guests (capped duration and count).
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../policy/units.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Page, PageQuery, replies, Voucher } from '../schemas.js';

const tags = ['vouchers'];
const NewVouchers = Type.Object({
  role: Type.String({ maxLength: 63 }),
  duration: Type.Union([Type.Integer({ minimum: 60 }), Type.String({ maxLength: 40 })], { description: 'Seconds, or "2h", from the first use' }),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Devices per voucher' })),
  school: Type.Optional(Type.String({ maxLength: 63 })),
}, { additionalProperties: false });

export const voucherRoutes: RouteModule = (api, actions) => {
  api.get('/vouchers', { schema: { tags, summary: 'Vouchers in scope (a teacher: the ones they issued)', querystring: Type.Object(PageQuery), response: replies({ 200: Page(Voucher, 'VoucherPage') }) } }, async (request) =>
    page(await actions.vouchers.list(request.principal), request.query));

  api.post('/vouchers', { schema: { tags, summary: 'Issue vouchers', body: NewVouchers, response: replies({ 201: Type.Array(Voucher) }) } }, async (request, reply) => {
    const { duration, count = 1, uses = 1, ...rest } = request.body;
    const seconds = typeof duration === 'number' ? duration : parseDuration(duration);
    return reply.code(201).send(await actions.vouchers.issue(request.principal, { ...rest, duration: seconds, count, uses }));
  });
};
