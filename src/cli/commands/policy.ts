import { POLICY_FLAGS } from '../../policy/field-text.js';
import type { PolicyView } from '../../store/policies.js';
import { enforcementReport } from '../enforcement-report.js';
import { fields as fieldList } from '../output.js';
import { list, str, UsageError, type Command } from '../command.js';
import { policyPreviewCommand } from './policy-preview.js';

function show(view: PolicyView): string {
  const title = view.school ? `${view.role} (school ${view.school}; * = set for this school)` : view.role;
  const rows = Object.entries(POLICY_FLAGS).map(([name, spec]): [string, string] => {
    const value = view.effective[spec.field];
    const mark = view.overridden.includes(spec.field) ? ' *' : '';
    return [name, value === undefined ? `-${mark}` : `${spec.format(value as never)}${mark}`];
  });
  return `${title}\n${fieldList(rows).replace(/^/gm, '  ')}`;
}

export const policyCommands: Command[] = [
  {
    name: 'policy set',
    usage: `<role> [--school <id>] [--down 5M] [--up 1M] [--burst-down 8M --burst-up 2M --burst-time 10s] [--session-timeout 8h] [--idle-timeout 15m] [--interim 5m]
               [--daily-quota 2G] [--monthly-quota 40G] [--schedule 'mon-sat 08:00-17:00'] [--max-devices 2] [--device-limit-mode refuse|evict-oldest]
               [--content-profile <name>] [--vlan 120] [--filter-id <name>] [--remember 7d] [--remember-by-default yes|no] [--clear <flag>]... [--no-apply]`,
    summary: "Set a role's policy, globally or as a school's override (only the fields given change), then move its live sessions to it (CoA, or Disconnect where the vendor cannot CoA) unless --no-apply. --clear removes a field: no limit globally, the global value in an override.",
    options: {
      school: { type: 'string' },
      clear: { type: 'string', multiple: true },
      apply: { type: 'boolean' },
      ...Object.fromEntries(Object.keys(POLICY_FLAGS).map((name) => [name, { type: 'string' as const }])),
    },
    positionals: 1,
    async run({ services, principal }, input) {
      const policy: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(POLICY_FLAGS)) {
        const value = str(input, name);
        if (value !== undefined) policy[spec.field] = spec.parse(value);
      }
      const clear = list(input, 'clear').map((name) => {
        const spec = POLICY_FLAGS[name];
        if (!spec) throw new UsageError(`--clear takes one of ${Object.keys(POLICY_FLAGS).join(', ')}`);
        return spec.field;
      });
      const apply = input.values.apply !== false;
      const result = await services.policies.set(principal, input.positionals[0]!, str(input, 'school'), policy, clear, { apply });
      const after = apply ? enforcementReport(result.sessions) : 'live sessions keep their old policy until they reconnect (--no-apply)';
      return { json: result, text: `${show(result)}\n${after}` };
    },
  },
  {
    name: 'policy show',
    usage: '[<role>] [--school <id>]',
    summary: 'Show the effective policy of one role or all, with a school’s overrides applied.',
    options: { school: { type: 'string' } },
    positionals: [0, 1],
    async run({ services, principal }, input) {
      const views = await services.policies.view(principal, input.positionals[0], str(input, 'school'));
      return { json: views, text: views.map(show).join('\n\n') };
    },
  },
  policyPreviewCommand,
];
