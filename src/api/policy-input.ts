// A policy change as the API takes it: each field as the CLI accepts it ("5Mbit/s", "2GB",
// "8h", "mon-fri 08:00-17:00", "yes") or as a number in base units (bit/s, bytes, seconds);
// null clears the field (no limit globally, the global value in a school's override).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { POLICY_FLAGS, type FieldText } from '../policy/field-text.js';
import { POLICY_FIELDS, ScheduleWindowSchema, type Policy, type PolicyField } from '../policy/fields.js';

// Text is read by the CLI's own parsers (policy/field-text.ts); these only describe the units.
const UNIT_FIELDS: Partial<Record<PolicyField, string>> = {
  downRate: 'bit/s, or "5Mbit/s", "512k"',
  upRate: 'bit/s, or "1M"',
  burstDownRate: 'bit/s, or "8M"',
  burstUpRate: 'bit/s, or "2M"',
  burstSeconds: 'seconds, or "10s"',
  sessionTimeout: 'seconds, or "8h"',
  idleTimeout: 'seconds, or "15m"',
  interimInterval: 'seconds, or "5m"',
  dailyQuota: 'bytes, or "2GB", "500M"',
  monthlyQuota: 'bytes, or "40G"',
  rememberFor: 'seconds, or "7d"',
};

const TEXT = Object.fromEntries(Object.values(POLICY_FLAGS).map((spec) => [spec.field, spec])) as Record<PolicyField, FieldText>;

const nullable = <T extends TSchema>(schema: T, description: string) => Type.Optional(Type.Union([schema, Type.Null()], { description }));

function fieldSchema(field: PolicyField): TSchema {
  const unit = UNIT_FIELDS[field];
  if (unit) return nullable(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ maxLength: 40 })]), unit);
  switch (field) {
    case 'schedule': return nullable(Type.Union([Type.String({ maxLength: 400 }), Type.Array(ScheduleWindowSchema, { maxItems: 32 })]), "'mon-fri 08:00-17:00' or windows");
    case 'rememberByDefault': return nullable(Type.Union([Type.Boolean(), Type.Unsafe<string>({ type: 'string', enum: ['yes', 'no', 'on', 'off', 'true', 'false'] })]), 'true/false or yes/no');
    case 'maxDevices':
    case 'vlan': return nullable(Type.Integer(), 'a whole number');
    default: return nullable(Type.String({ maxLength: 253 }), field);
  }
}

export const PolicyPatch = Type.Object(Object.fromEntries(POLICY_FIELDS.map((field) => [field, fieldSchema(field)])), { additionalProperties: false, title: 'PolicyPatch' });

export type PolicyPatchBody = Static<typeof PolicyPatch>;

/** The fields to set (in base units) and the fields to clear. */
export function readPolicyPatch(body: Record<string, unknown>): { fields: Policy; clear: PolicyField[] } {
  const fields: Record<string, unknown> = {};
  const clear: PolicyField[] = [];
  for (const [name, value] of Object.entries(body)) {
    const field = name as PolicyField;
    if (value === undefined) continue;
    if (value === null) clear.push(field);
    else fields[field] = typeof value === 'string' ? TEXT[field].parse(value) : value;
  }
  return { fields, clear };
}
