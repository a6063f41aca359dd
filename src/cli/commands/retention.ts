// `mektep retention show|set`: how long stop records and audit entries are kept (issue 13).
import { table } from '../output.js';
import { UsageError, whole, type Command } from '../command.js';
import type { Retention } from '../../store/retention.js';

function shown(retention: Retention): string {
  return table(['KEPT', 'DAYS'], [['accounting stop records', String(retention.accountingDays)], ['audit log', String(retention.auditDays)]]);
}

export const retentionCommands: Command[] = [
  {
    name: 'retention show',
    usage: '',
    summary: 'Show how long accounting stop records and audit entries are kept.',
    positionals: 0,
    async run({ services, principal }) {
      const retention = await services.retention.show(principal);
      return { json: retention, text: shown(retention) };
    },
  },
  {
    name: 'retention set',
    usage: '[--accounting-days 180] [--audit-days 730]',
    summary: 'Change how long accounting stop records and audit entries are kept (older ones are removed within the hour).',
    options: { 'accounting-days': { type: 'string' }, 'audit-days': { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const accountingDays = whole(input, 'accounting-days');
      const auditDays = whole(input, 'audit-days');
      if (accountingDays === undefined && auditDays === undefined) throw new UsageError('name --accounting-days or --audit-days');
      const retention = await services.retention.set(principal, { ...(accountingDays === undefined ? {} : { accountingDays }), ...(auditDays === undefined ? {} : { auditDays }) });
      return { json: retention, text: shown(retention) };
    },
  },
];
