import { parseDuration } from '../../policy/units.js';
import { table } from '../output.js';
import { str, UsageError, whole, type Command, type CommandInput } from '../command.js';

/** "2026-11-30", an ISO time, or a duration back from now ("24h", "7d"). */
function since(input: CommandInput, now = Date.now()): number | undefined {
  const value = str(input, 'since');
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  try {
    return now - parseDuration(value) * 1000;
  } catch {
    throw new UsageError(`--since takes a date (2026-11-30), an ISO time or a duration back from now (24h, 7d), not "${value}"`);
  }
}

export const auditCommands: Command[] = [
  {
    name: 'audit',
    usage: '[--count 50] [--actor <who>] [--action <user.disable|user>] [--school <id>] [--since 2026-11-30|24h]',
    summary: 'Show the newest entries of the audit log (who changed what, when, for which school), filtered.',
    options: { count: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' }, school: { type: 'string' }, since: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const count = whole(input, 'count', 50)!;
      if (count < 1 || count > 10_000) throw new UsageError('--count must be a whole number from 1 to 10000');
      const filter = Object.fromEntries((['actor', 'action', 'school'] as const).flatMap((name) => (str(input, name) === undefined ? [] : [[name, str(input, name)!]])));
      const from = since(input);
      const records = await services.audit.list(principal, { ...filter, count, ...(from === undefined ? {} : { since: from }) });
      return {
        json: records,
        text: table(['TIME', 'ACTOR', 'ACTION', 'TARGET', 'SCHOOL'], records.map((record) => [record.at, record.actor, record.action, record.target, record.school])),
      };
    },
  },
];
