import { ValidationError } from '../../errors.js';
import type { Policy, PolicyField } from '../../policy/fields.js';
import { formatBytes, formatDuration, formatRate, parseBytes, parseDuration, parseRate } from '../../policy/units.js';
import type { PolicyView } from '../../store/policies.js';
import { fields as fieldList } from '../output.js';
import { list, str, type Command } from '../command.js';

interface FlagSpec {
  field: PolicyField;
  parse(value: string): Policy[PolicyField];
  format(value: never): string;
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new ValidationError(`"${value}" is not a whole number`);
  return Number(value);
}

/** Command-line flag → policy field, with how to read and show its value. */
export const POLICY_FLAGS: Record<string, FlagSpec> = {
  down: { field: 'downRate', parse: parseRate, format: formatRate },
  up: { field: 'upRate', parse: parseRate, format: formatRate },
  'session-timeout': { field: 'sessionTimeout', parse: parseDuration, format: formatDuration },
  'idle-timeout': { field: 'idleTimeout', parse: parseDuration, format: formatDuration },
  'daily-quota': { field: 'dailyQuota', parse: parseBytes, format: formatBytes },
  'max-devices': { field: 'maxDevices', parse: count, format: String },
};

function show(view: PolicyView): string {
  const title = view.school ? `${view.role} (school ${view.school}; * = set for this school)` : view.role;
  const rows = Object.entries(POLICY_FLAGS).map(([name, spec]): [string, string] => {
    const value = view.effective[spec.field];
    const mark = view.overridden.includes(spec.field) ? ' *' : '';
    return [name, value === undefined ? `no limit${mark}` : `${spec.format(value as never)}${mark}`];
  });
  const others = Object.entries(view.effective).filter(([field]) => !Object.values(POLICY_FLAGS).some((spec) => spec.field === field));
  return `${title}\n${fieldList([...rows, ...others.map(([field, value]): [string, string] => [field, JSON.stringify(value)])]).replace(/^/gm, '  ')}`;
}

export const policyCommands: Command[] = [
  {
    name: 'policy set',
    usage: '<role> [--school <id>] [--down 5M] [--up 1M] [--session-timeout 8h] [--idle-timeout 15m] [--daily-quota 2G] [--max-devices 2] [--clear <flag>]...',
    summary: "Set a role's policy, globally or as a school's override (only the fields given change); --clear removes a field (back to no limit, or to the global value in an override).",
    options: {
      school: { type: 'string' },
      clear: { type: 'string', multiple: true },
      ...Object.fromEntries(Object.keys(POLICY_FLAGS).map((name) => [name, { type: 'string' as const }])),
    },
    positionals: 1,
    async run({ store, actor }, input) {
      const policy: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(POLICY_FLAGS)) {
        const value = str(input, name);
        if (value !== undefined) policy[spec.field] = spec.parse(value);
      }
      const clear = list(input, 'clear').map((name) => {
        const spec = POLICY_FLAGS[name];
        if (!spec) throw new ValidationError(`--clear takes one of ${Object.keys(POLICY_FLAGS).join(', ')}`);
        return spec.field;
      });
      const view = await store.policies.set(input.positionals[0]!, str(input, 'school'), policy, clear, actor);
      return { json: view, text: show(view) };
    },
  },
  {
    name: 'policy show',
    usage: '[<role>] [--school <id>]',
    summary: 'Show the effective policy of one role or all, with a school’s overrides applied.',
    options: { school: { type: 'string' } },
    positionals: [0, 1],
    async run({ store }, input) {
      const school = str(input, 'school');
      if (school) await store.schools.require(school);
      const roles = input.positionals[0] ? [await store.roles.require(input.positionals[0])] : await store.roles.list();
      const views = await Promise.all(roles.map((role) => store.policies.view(role, school)));
      return { json: views, text: views.map(show).join('\n\n') };
    },
  },
];
