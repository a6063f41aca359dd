// Console accounts: created within the principal's scope (a school admin: teachers of their
// school); disabled, enabled, or given a new password.
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Account, Page, PageQuery, replies } from '../schemas.js';

const tags = ['accounts'];
const Username = Type.Object({ username: Type.String({ maxLength: 64 }) });
const NewAccount = Type.Object({
  username: Type.String({ maxLength: 64 }),
  password: Type.String({ maxLength: 200 }),
  role: Type.Union([Type.Literal('region-admin'), Type.Literal('school-admin'), Type.Literal('teacher')]),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  school: Type.Optional(Type.String({ maxLength: 63 })),
  wifiRole: Type.Optional(Type.String({ maxLength: 63, description: 'Also a Wi-Fi user with this network role (same password)' })),
}, { additionalProperties: false });
const AccountChanges = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  password: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false, minProperties: 1 });

export const accountRoutes: RouteModule = (api, actions) => {
  api.get('/accounts', { schema: { tags, summary: 'Console accounts in scope', querystring: Type.Object(PageQuery), response: replies({ 200: Page(Account, 'AccountPage') }) } }, async (request) =>
    page(await actions.accounts.list(request.principal), request.query));

  api.post('/accounts', { schema: { tags, summary: 'Create a console account', body: NewAccount, response: replies({ 201: Account }) } }, async (request, reply) =>
    reply.code(201).send(await actions.accounts.create(request.principal, request.body)));

  api.patch('/accounts/:username', { schema: { tags, summary: 'Disable, enable or set the password of an account', params: Username, body: AccountChanges, response: replies({ 200: Account }) } }, async (request) => {
    const { principal, params: { username }, body } = request;
    if (body.password !== undefined) await actions.accounts.resetPassword(principal, username, body.password);
    if (body.status !== undefined) return actions.accounts.setStatus(principal, username, body.status);
    return (await actions.accounts.list(principal)).find((account) => account.username === username.toLowerCase())!;
  });
};
