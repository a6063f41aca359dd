// Vouchers: issued in batches by managers for any role, by teachers for guests (capped duration
// and count); a batch is answered with its codes; revoking disconnects the devices online with it.
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../errors.js';
import { parseDuration } from '../../policy/units.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Page, PageQuery, replies, Voucher } from '../schemas.js';

const tags = ['vouchers'];
const Str = Type.String();
const Opt = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Optional(schema);
const BatchFields = {
  id: Str, role: Str, school: Opt(Str), duration: Type.Integer(), uses: Type.Integer(), count: Type.Integer(), note: Str, validUntil: Str, createdBy: Str, createdAt: Str,
};
const IssuedBatch = Type.Object({ ...BatchFields, codes: Type.Array(Str), vouchers: Type.Array(Voucher) }, { title: 'VoucherBatch' });
const BatchSummary = Type.Object({ ...BatchFields, used: Type.Integer(), unused: Type.Integer(), revoked: Type.Integer() }, { title: 'VoucherBatchSummary' });

const NewVouchers = Type.Object({
  role: Type.String({ maxLength: 63 }),
  duration: Type.Union([Type.Integer({ minimum: 60 }), Type.String({ maxLength: 40 })], { description: 'Seconds, or "2h", from the first use' }),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Devices per voucher' })),
  school: Type.Optional(Type.String({ maxLength: 63 })),
  note: Type.Optional(Type.String({ maxLength: 200, description: 'Printed on the sheet and shown in the list ("Parents\' evening 12 March")' })),
  validUntil: Type.Optional(Type.String({ maxLength: 40, description: 'ISO time after which no code of the batch admits anyone (default 30 days)' })),
}, { additionalProperties: false });

const Target = Type.Object({ target: Type.String({ maxLength: 64, description: 'A code, or a batch id ("b-…")' }) });

export const voucherRoutes: RouteModule = (api, actions) => {
  api.get('/vouchers', { schema: { tags, summary: 'Vouchers in scope (a teacher: the ones they issued)', querystring: Type.Object(PageQuery), response: replies({ 200: Page(Voucher, 'VoucherPage') }) } }, async (request) =>
    page(await actions.vouchers.list(request.principal), request.query));

  api.get('/voucher-batches', { schema: { tags, summary: 'Batches in scope with their used and unused counts', querystring: Type.Object(PageQuery), response: replies({ 200: Page(BatchSummary, 'VoucherBatchPage') }) } }, async (request) =>
    page(await actions.vouchers.batches(request.principal), request.query));

  api.get('/voucher-batches/:id', { schema: { tags, summary: 'A batch with its codes', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: replies({ 200: IssuedBatch }) } }, async (request) => {
    const { batch, vouchers } = await actions.vouchers.batch(request.principal, request.params.id);
    return { ...batch, codes: vouchers.map((voucher) => voucher.code), vouchers };
  });

  api.post('/vouchers', { schema: { tags, summary: 'Issue a batch of vouchers; answered with its codes', body: NewVouchers, response: replies({ 201: IssuedBatch }) } }, async (request, reply) => {
    const { duration, count = 1, uses = 1, validUntil, ...rest } = request.body;
    const seconds = typeof duration === 'number' ? duration : parseDuration(duration);
    const until = validUntil === undefined ? undefined : Date.parse(validUntil);
    if (Number.isNaN(until)) throw new ValidationError(`validUntil "${validUntil}" is not an ISO time`);
    const { batch, vouchers } = await actions.vouchers.issue(request.principal, { ...rest, duration: seconds, count, uses, ...(until === undefined ? {} : { validUntil: until }) });
    return reply.code(201).send({ ...batch, codes: vouchers.map((voucher) => voucher.code), vouchers });
  });

  api.post('/vouchers/:target/revoke', { schema: { tags, summary: 'Revoke a voucher or a batch; its live sessions are disconnected', params: Target, response: replies({ 200: Type.Object({ revoked: Type.Array(Str), disconnected: Type.Integer() }) }) } }, async (request) => {
    const { revoked, disconnected } = await actions.vouchers.revoke(request.principal, request.params.target);
    return { revoked: revoked.map((voucher) => voucher.code), disconnected };
  });
};
