// The fields of a role policy. A global policy and a school's override have the same shape; an
// override names only the fields it changes. An absent field means "no limit".
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValidationError } from '../errors.js';

const Seconds = Type.Integer({ minimum: 1 });
const BitsPerSecond = Type.Integer({ minimum: 1 });
const Bytes = Type.Integer({ minimum: 1 });
const Clock = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });

/** A weekly window in the school's timezone; end ≤ start means it runs past midnight. */
export const ScheduleWindowSchema = Type.Object({
  days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7, uniqueItems: true, description: '0 = Sunday … 6 = Saturday' }),
  start: Clock,
  end: Clock,
}, { additionalProperties: false });

export const PolicySchema = Type.Object({
  downRate: BitsPerSecond,
  upRate: BitsPerSecond,
  burstDownRate: BitsPerSecond,
  burstUpRate: BitsPerSecond,
  burstSeconds: Seconds,
  sessionTimeout: Seconds,
  idleTimeout: Seconds,
  interimInterval: Type.Integer({ minimum: 60 }),
  dailyQuota: Bytes,
  monthlyQuota: Bytes,
  schedule: Type.Array(ScheduleWindowSchema, { maxItems: 32 }),
  maxDevices: Type.Integer({ minimum: 1, maximum: 1000 }),
  deviceLimitMode: Type.Union([Type.Literal('refuse'), Type.Literal('evict-oldest')]),
  contentProfile: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }),
  vlan: Type.Integer({ minimum: 1, maximum: 4094 }),
  // RADIUS text for the NAS's filter list: no control characters (a line break is no filter name).
  filterId: Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
  rememberFor: Seconds,
  rememberByDefault: Type.Boolean(),
}, { additionalProperties: false });

export type Policy = Partial<Static<typeof PolicySchema>>;
export type PolicyField = keyof Static<typeof PolicySchema>;
export type ScheduleWindow = Static<typeof ScheduleWindowSchema>;

export const POLICY_FIELDS = Object.keys(PolicySchema.properties) as PolicyField[];

const PartialPolicySchema = Type.Partial(PolicySchema);

/** Throws a ValidationError naming the first bad field. */
export function validatePolicy(input: unknown): Policy {
  const first = Value.Errors(PartialPolicySchema, input).First();
  if (first) {
    const field = first.path.split('/')[1] ?? 'policy';
    throw new ValidationError(`policy field ${field}: ${first.message} (got ${JSON.stringify(first.value)})`);
  }
  return input as Policy;
}

/** The role's global policy with a school's override applied field by field. */
export function mergePolicy(global: Policy, override: Policy): Policy {
  return { ...global, ...override };
}
