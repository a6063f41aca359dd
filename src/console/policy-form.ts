// The policy page's form: one text per field as the CLI takes it (the same table: units required,
// "5Mbit/s", "2GB", "8h", "mon-fri 08:00-17:00"), pre-filled with the value of the level being
// edited — the global policy, or a school's override. A changed text sets the field, an emptied
// one clears it, an untouched one changes nothing (so saving never rewrites what nobody touched).
import { POLICY_FLAGS, formatField } from '../policy/field-text.js';
import type { Policy, PolicyField } from '../policy/fields.js';
import { isCodedError } from '../errors.js';

/** Form field names: the CLI flag names, e.g. "daily-quota". */
export const FLAG_NAMES = Object.keys(POLICY_FLAGS);

export interface PolicyRow {
  flag: string;
  field: PolicyField;
  /** The value at the level being edited, as typed ('' when it is not set there). */
  own: string;
  global: string;
  effective: string;
  /** Where the effective value comes from. */
  source: 'global' | 'override' | 'none';
}

const shown = (flag: string, value: unknown) => (value === undefined ? '' : formatField(POLICY_FLAGS[flag]!, value));

export function policyRows(global: Policy, effective: Policy, overridden: readonly string[], school: string | undefined): PolicyRow[] {
  return FLAG_NAMES.map((flag) => {
    const { field } = POLICY_FLAGS[flag]!;
    const isOverride = school !== undefined && overridden.includes(field);
    const ownValue = school === undefined ? global[field] : isOverride ? effective[field] : undefined;
    return {
      flag, field,
      own: shown(flag, ownValue),
      global: shown(flag, global[field]),
      effective: shown(flag, effective[field]),
      source: isOverride ? 'override' : effective[field] === undefined ? 'none' : 'global',
    };
  });
}

export interface PolicyChange {
  fields: Policy;
  clear: PolicyField[];
  /** Per form field, what was wrong with its text (the parser's words). */
  problems: Record<string, string>;
}

/** What the submitted texts change against the rows the form was built from. */
export function readPolicyForm(body: Record<string, string | undefined>, rows: PolicyRow[]): PolicyChange {
  const change: PolicyChange = { fields: {}, clear: [], problems: {} };
  for (const row of rows) {
    const typed = body[row.flag];
    if (typed === undefined || typed.trim() === row.own) continue;
    if (typed.trim() === '') {
      change.clear.push(row.field);
      continue;
    }
    try {
      (change.fields as Record<string, unknown>)[row.field] = POLICY_FLAGS[row.flag]!.parse(typed.trim());
    } catch (error) {
      if (!isCodedError(error)) throw error;
      change.problems[row.flag] = error.message;
    }
  }
  return change;
}
