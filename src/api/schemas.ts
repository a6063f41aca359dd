// The shapes the REST API answers with, field for field the CLI's `--json` output. Replies are
// serialised through these schemas, so a field not named here (a secret, a hash) never leaves.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PolicySchema } from '../policy/fields.js';
import { ContentProfileSchema } from '../policy/content.js';

const Str = Type.String();
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const Time = Type.String({ format: 'date-time' });

export const ErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'MK_ERR_… (stable; see docs/api.md)' }),
    message: Type.String(),
    /** Every bad line of a refused import. */
    lines: Opt(Type.Array(Type.Object({ line: Type.Integer(), username: Str, error: Str }))),
  }),
}, { $id: 'Error', title: 'Error' });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'At most 500 per page' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
};

/** One page of a collection; `next` is the offset of the following page, when there is one. */
export function Page<T extends TSchema>(item: T, title: string) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), offset: Type.Integer(), limit: Type.Integer(), next: Opt(Type.Integer()) }, { title });
}

export const School = Type.Object({
  id: Str, name: Str, timezone: Str, mschapv2: Type.Boolean(), logo: Opt(Str), colour: Opt(Str), uplink: Opt(Type.Integer({ description: 'bit/s' })), ssid: Opt(Str), voucherMax: Opt(Type.Integer({ description: 'seconds' })), createdAt: Str,
}, { title: 'School' });

export const Nas = Type.Object({
  address: Str, vendor: Str, school: Opt(Str), name: Opt(Str), nasId: Opt(Str), coaPort: Type.Integer(),
  requireMessageAuthenticator: Type.Boolean(), rejectDelayMs: Opt(Type.Integer()), loginUrl: Opt(Str),
  controllerUrl: Opt(Str), controllerUser: Opt(Str), hasUamSecret: Type.Boolean(), hasControllerPassword: Type.Boolean(), createdAt: Str,
}, { title: 'Nas' });

export const User = Type.Object({ username: Str, name: Str, role: Str, school: Opt(Str), status: Str, expiresAt: Opt(Str), createdAt: Str }, { title: 'User' });

export const Account = Type.Object({ username: Str, name: Str, role: Str, school: Opt(Str), status: Str, createdAt: Str, passwordChangedAt: Opt(Str), wifiRole: Opt(Str) }, { title: 'Account' });

export const ApiToken = Type.Object({ id: Str, name: Str, owner: Str, school: Opt(Str), createdAt: Str, expiresAt: Opt(Str), lastUsedAt: Opt(Str) }, { title: 'ApiToken' });

export const Enforcement = Type.Object({ session: Str, action: Str, outcome: Str, errorCause: Opt(Str) }, { title: 'Enforcement' });

export const Session = Type.Object({
  id: Str, nas: Str, nasIp: Opt(Str), nasIdentifier: Opt(Str), nasIpAddress: Opt(Str), callingStationId: Opt(Str), userName: Opt(Str),
  sessionId: Str, user: Opt(Str), role: Opt(Str), school: Opt(Str), mac: Opt(Str), ip: Opt(Str), startedAt: Str, updatedAt: Str,
  inOctets: Type.Integer(), outOctets: Type.Integer(),
}, { title: 'Session' });

export const Device = Type.Object({ mac: Str, role: Str, school: Opt(Str), user: Opt(Str), until: Opt(Str), randomized: Type.Boolean(), registeredBy: Str, createdAt: Str }, { title: 'Device' });

export const Voucher = Type.Object({
  code: Str, role: Str, school: Opt(Str), duration: Type.Integer(), uses: Type.Integer(), used: Type.Integer(), batch: Str, note: Opt(Str),
  validUntil: Opt(Str), revoked: Type.Optional(Type.Boolean()), createdBy: Str, createdAt: Str, firstUsedAt: Opt(Str),
}, { title: 'Voucher' });

export const AuditRecord = Type.Object({
  id: Str, at: Time, actor: Str, action: Str, target: Str, school: Opt(Str), source: Opt(Str), detail: Opt(Type.Record(Type.String(), Type.Unknown())),
}, { title: 'AuditRecord' });

export const PolicyView = Type.Object({ role: Str, school: Opt(Str), effective: Type.Partial(PolicySchema), overridden: Type.Array(Str) }, { title: 'PolicyView' });

export const PolicyChange = Type.Composite([PolicyView, Type.Object({
  sessions: Type.Array(Enforcement),
  updated: Type.Integer({ description: 'Live sessions moved to the new policy by CoA' }),
  disconnected: Type.Integer({ description: 'Live sessions ended (no CoA, or the new policy refuses them)' }),
  unconfirmed: Type.Integer({ description: 'Live sessions whose access point did not confirm' }),
})], { title: 'PolicyChange' });

export const ContentProfileView = Type.Object({
  name: Str, school: Opt(Str), exists: Type.Boolean(), builtIn: Type.Boolean(), effective: ContentProfileSchema, overridden: Type.Array(Str),
}, { title: 'ContentProfileView' });

export const ContentCategory = Type.Object({ name: Str, domains: Type.Integer(), updatedAt: Str, generation: Str }, { title: 'ContentCategory' });

export const ContentNetwork = Type.Object({ network: Str, school: Str, profile: Str }, { title: 'ContentNetwork' });

/** What `mektep content import` prints: every line kept, a duplicate, or refused (the first ten with why). */
export const ContentImportReport = Type.Object({
  category: Str, lines: Type.Integer(), kept: Type.Integer(), duplicates: Type.Integer(), refused: Type.Integer(),
  examples: Type.Array(Type.Object({ line: Type.Integer(), text: Str, reason: Str }), { description: 'The first refused lines' }),
  domains: Type.Integer({ description: 'Names in the category after the import' }), collisions: Type.Integer(),
}, { title: 'ContentImportReport' });

export const ImportReport = Type.Object({
  dryRun: Type.Boolean(), created: Type.Integer(),
  generated: Type.Array(Type.Object({ username: Str, password: Str }), { description: 'Generated passwords, shown once' }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), username: Str, error: Str })),
}, { title: 'ImportReport' });

/** Registered once on the API scope (`addSchema`): one `Error` component in the OpenAPI document. */
const errorRef = (description: string) => Type.Unsafe<Static<typeof ErrorSchema>>(Type.Ref('Error', { description }));

const ERRORS = {
  400: errorRef('Input the schemas refuse (MK_ERR_VALIDATION)'),
  401: errorRef('No valid API token (MK_ERR_UNAUTHORIZED)'),
  403: errorRef("Outside the token's scope (MK_ERR_FORBIDDEN)"),
  404: errorRef('No such thing, or one of another school (MK_ERR_NOT_FOUND)'),
  409: errorRef('Already exists (MK_ERR_CONFLICT)'),
  429: errorRef('Too many requests (MK_ERR_RATE_LIMITED)'),
} as const;

/** A route's replies: its own, and the error body for every client error it may give. */
export function replies<T extends Record<number, TSchema>>(own: T): T & typeof ERRORS {
  return { ...ERRORS, ...own };
}

/** For the one route that refuses a whole input with its reasons (422). */
export const Unprocessable = { 422: errorRef('Lines with errors, every one in error.lines; nothing was imported (MK_ERR_UNPROCESSABLE)') } as const;

export const Empty = Type.Null({ description: 'No content' });
