import { ValidationError } from '../../errors.js';
import { table } from '../output.js';
import { str, type Command } from '../command.js';

export const auditCommands: Command[] = [
  {
    name: 'audit',
    usage: '[--count 50]',
    summary: 'Show the newest entries of the audit log (who changed what, when).',
    options: { count: { type: 'string' } },
    positionals: 0,
    async run({ store }, input) {
      const count = Number(str(input, 'count') ?? 50);
      if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new ValidationError('--count must be a whole number from 1 to 10000');
      const records = await store.audit.recent(count);
      return {
        json: records,
        text: table(['TIME', 'ACTOR', 'ACTION', 'TARGET'], records.map((record) => [record.at, record.actor, record.action, record.target])),
      };
    },
  },
];
