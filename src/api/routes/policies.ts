// Role policies: read globally or with a school's override; PATCH changes only the fields given
// and moves the live sessions to the result (CoA, or Disconnect where the vendor cannot),
// saying how many were updated, disconnected or left unconfirmed.
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../context.js';
import { page } from '../paging.js';
import { PolicyPatch, readPolicyPatch } from '../policy-input.js';
import { Page, PageQuery, PolicyChange, PolicyView, replies } from '../schemas.js';

const tags = ['policies'];
const Role = Type.Object({ role: Type.String({ maxLength: 63 }) });
const School = { school: Type.Optional(Type.String({ maxLength: 63, description: "A school's override" })) };

export const policyRoutes: RouteModule = (api, actions) => {
  api.get('/policies', { schema: { tags, summary: 'Every role policy', querystring: Type.Object({ ...School, ...PageQuery }), response: replies({ 200: Page(PolicyView, 'PolicyPage') }) } }, async (request) =>
    page(await actions.policies.view(request.principal, undefined, request.query.school), request.query));

  api.get('/policies/:role', { schema: { tags, summary: "A role's policy", params: Role, querystring: Type.Object(School), response: replies({ 200: PolicyView }) } }, async (request) =>
    (await actions.policies.view(request.principal, request.params.role, request.query.school))[0]!);

  api.patch('/policies/:role', {
    schema: {
      tags,
      summary: "Change a role's policy (null clears a field) and apply it to live sessions",
      params: Role,
      querystring: Type.Object({ ...School, apply: Type.Optional(Type.Boolean({ default: true, description: 'false: live sessions keep the old policy until they reconnect' })) }),
      body: PolicyPatch,
      response: replies({ 200: PolicyChange }),
    },
  }, async (request) => {
    const { fields, clear } = readPolicyPatch(request.body);
    return actions.policies.set(request.principal, request.params.role, request.query.school, fields, clear, { apply: request.query.apply !== false });
  });
};
