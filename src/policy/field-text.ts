// Each policy field as people type and read it: its command-line name, how its text is parsed
// (always with a unit) and how it is shown. The CLI's flags and the console's form are both this
// table, so the two accept the same values and print them the same way.
import { ValidationError } from '../errors.js';
import type { Policy, PolicyField } from './fields.js';
import { formatSchedule, parseSchedule } from './schedule.js';
import { formatBytes, formatDuration, formatRate, parseBytes, parseDuration, parseRate } from './units.js';

export interface FieldText {
  field: PolicyField;
  parse(value: string): Policy[PolicyField];
  format(value: never): string;
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new ValidationError(`"${value}" is not a whole number`);
  return Number(value);
}

function choice(...allowed: string[]) {
  return (value: string) => {
    if (!allowed.includes(value)) throw new ValidationError(`"${value}" is not one of ${allowed.join(', ')}`);
    return value;
  };
}

function yesNo(value: string): boolean {
  if (!/^(yes|no|on|off|true|false)$/.test(value)) throw new ValidationError(`"${value}" is not yes or no`);
  return /^(yes|on|true)$/.test(value);
}

/** Command-line flag name → policy field, with how to read and show its value. */
export const POLICY_FLAGS: Record<string, FieldText> = {
  down: { field: 'downRate', parse: parseRate, format: formatRate },
  up: { field: 'upRate', parse: parseRate, format: formatRate },
  'burst-down': { field: 'burstDownRate', parse: parseRate, format: formatRate },
  'burst-up': { field: 'burstUpRate', parse: parseRate, format: formatRate },
  'burst-time': { field: 'burstSeconds', parse: parseDuration, format: formatDuration },
  'session-timeout': { field: 'sessionTimeout', parse: parseDuration, format: formatDuration },
  'idle-timeout': { field: 'idleTimeout', parse: parseDuration, format: formatDuration },
  interim: { field: 'interimInterval', parse: parseDuration, format: formatDuration },
  'daily-quota': { field: 'dailyQuota', parse: parseBytes, format: formatBytes },
  'monthly-quota': { field: 'monthlyQuota', parse: parseBytes, format: formatBytes },
  schedule: { field: 'schedule', parse: parseSchedule, format: formatSchedule },
  'max-devices': { field: 'maxDevices', parse: count, format: String },
  'device-limit-mode': { field: 'deviceLimitMode', parse: choice('refuse', 'evict-oldest'), format: String },
  'content-profile': { field: 'contentProfile', parse: String, format: String },
  vlan: { field: 'vlan', parse: count, format: String },
  'filter-id': { field: 'filterId', parse: String, format: String },
  remember: { field: 'rememberFor', parse: parseDuration, format: formatDuration },
  'remember-by-default': { field: 'rememberByDefault', parse: yesNo, format: (value: boolean) => (value ? 'yes' : 'no') },
};

/** A field's value as the CLI prints it (and as its parser reads it back). */
export function formatField(spec: FieldText, value: unknown): string {
  return spec.format(value as never);
}
