// Wi-Fi users: list (filtered, paged), add, change (status, expiry, password) and import a CSV
// as Excel saves it (the raw body: text/csv, UTF-8 with or without BOM or Windows-1251).
import { Type } from '@sinclair/typebox';
import { UnprocessableError } from '../../errors.js';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { Enforcement, ImportReport, Page, PageQuery, replies, Unprocessable, User } from '../schemas.js';

const tags = ['users'];
const Username = Type.Object({ username: Type.String({ maxLength: 64 }) });
const NewUser = Type.Object({
  username: Type.String({ maxLength: 64 }),
  role: Type.String({ maxLength: 63 }),
  password: Type.Optional(Type.String({ maxLength: 200, description: 'Omit to have one generated (returned once as generatedPassword)' })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  school: Type.Optional(Type.String({ maxLength: 63 })),
  expiresAt: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD (end of that day, UTC) or an ISO time' })),
}, { additionalProperties: false });
const UserChanges = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')], { description: 'disabled also ends the live sessions' })),
  expiresAt: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()], { description: 'null: never expires' })),
  password: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false, minProperties: 1 });

export const userRoutes: RouteModule = (api, actions) => {
  api.get('/users', {
    schema: {
      tags,
      summary: 'Users in scope, filtered',
      querystring: Type.Object({ school: Type.Optional(Type.String({ maxLength: 63 })), search: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the username or name' })), role: Type.Optional(Type.String({ maxLength: 63 })), ...PageQuery }),
      response: replies({ 200: Page(User, 'UserPage') }),
    },
  }, async (request) => {
    const { limit, offset, ...filter } = request.query;
    return page(await actions.users.list(request.principal, filter), { limit, offset });
  });

  api.get('/users/:username', { schema: { tags, summary: 'One user', params: Username, response: replies({ 200: User }) } }, async (request) =>
    actions.users.get(request.principal, request.params.username));

  api.post('/users', { schema: { tags, summary: 'Add a user', body: NewUser, response: replies({ 201: Type.Composite([User, Type.Object({ generatedPassword: Type.Optional(Type.String()) })]) }) } }, async (request, reply) =>
    reply.code(201).send(await actions.users.add(request.principal, request.body)));

  api.patch('/users/:username', {
    schema: { tags, summary: "Change a user's status, expiry or password", params: Username, body: UserChanges, response: replies({ 200: Type.Composite([User, Type.Object({ sessions: Type.Optional(Type.Array(Enforcement)) })]) }) },
  }, async (request) => {
    const { principal, params: { username }, body } = request;
    // Checked first: nothing changes for a user out of scope.
    await actions.users.get(principal, username);
    if (body.password !== undefined) await actions.users.resetPassword(principal, username, body.password);
    if (body.expiresAt !== undefined) await actions.users.setExpiry(principal, username, body.expiresAt);
    const status = body.status === undefined ? undefined : await actions.users.setStatus(principal, username, body.status);
    return { ...(await actions.users.get(principal, username)), ...(status?.sessions ? { sessions: status.sessions } : {}) };
  });

  api.post('/users/import', {
    schema: {
      tags,
      summary: 'Import users from CSV (all lines or none)',
      description: 'Header username,name,role,school,password; comma or semicolon; UTF-8 (with or without BOM) or Windows-1251, detected, or named by ?encoding= or the charset of Content-Type. A file with bad lines is refused with 422 and every bad line.',
      consumes: ['text/csv'],
      querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })), encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('windows-1251')])) }),
      body: Type.String({ description: 'The CSV file' }),
      response: replies({ 200: ImportReport, 201: ImportReport, ...Unprocessable }),
    },
  }, async (request, reply) => {
    const report = await actions.users.import(request.principal, request.body, { dryRun: request.query.dryRun === true });
    if (report.errors.length > 0) throw Object.assign(new UnprocessableError(`${report.errors.length} line(s) have errors; nothing was imported`), { lines: report.errors });
    return reply.code(report.dryRun ? 200 : 201).send(report);
  });
};
