// A policy change as the API takes it: each field as the CLI accepts it ("5Mbit/s", "2GB",
// "8h", "mon-fri 08:00-17:00", "yes") or as a number in base units (bit/s, bytes, seconds);
// null clears the field (no limit globally, the global value in a school's override).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { POLICY_FIELDS, ScheduleWindowSchema, type Policy, type PolicyField } from '../policy/fields.js';
import { parseSchedule } from '../policy/schedule.js';
import { parseBytes, parseDuration, parseRate } from '../policy/units.js';

const UNIT_FIELDS: Partial<Record<PolicyField, [(text: string) => number, string]>> = {
  downRate: [parseRate, 'bit/s, or "5Mbit/s", "512k"'],
  upRate: [parseRate, 'bit/s, or "1M"'],
  burstDownRate: [parseRate, 'bit/s, or "8M"'],
  burstUpRate: [parseRate, 'bit/s, or "2M"'],
  burstSeconds: [parseDuration, 'seconds, or "10s"'],
  sessionTimeout: [parseDuration, 'seconds, or "8h"'],
  idleTimeout: [parseDuration, 'seconds, or "15m"'],
  interimInterval: [parseDuration, 'seconds, or "5m"'],
  dailyQuota: [parseBytes, 'bytes, or "2GB", "500M"'],
  monthlyQuota: [parseBytes, 'bytes, or "40G"'],
  rememberFor: [parseDuration, 'seconds, or "7d"'],
};

const YES_NO: Record<string, boolean> = { yes: true, no: false, on: true, off: false, true: true, false: false };

const nullable = <T extends TSchema>(schema: T, description: string) => Type.Optional(Type.Union([schema, Type.Null()], { description }));

function fieldSchema(field: PolicyField): TSchema {
  const unit = UNIT_FIELDS[field];
  if (unit) return nullable(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ maxLength: 40 })]), unit[1]);
  switch (field) {
    case 'schedule': return nullable(Type.Union([Type.String({ maxLength: 400 }), Type.Array(ScheduleWindowSchema, { maxItems: 32 })]), "'mon-fri 08:00-17:00' or windows");
    case 'rememberByDefault': return nullable(Type.Union([Type.Boolean(), Type.Unsafe<string>({ type: 'string', enum: Object.keys(YES_NO) })]), 'true/false or yes/no');
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
    else if (typeof value === 'string' && UNIT_FIELDS[field]) fields[field] = UNIT_FIELDS[field][0](value);
    else if (typeof value === 'string' && field === 'schedule') fields[field] = parseSchedule(value);
    else if (typeof value === 'string' && field === 'rememberByDefault') fields[field] = YES_NO[value];
    else fields[field] = value;
  }
  return { fields, clear };
}
