import { formatDuration, parseDuration } from '../../policy/units.js';
import { table } from '../output.js';
import { required, str, whole, type Command } from '../command.js';

export const voucherCommands: Command[] = [
  {
    name: 'voucher create',
    usage: '--role <role> --duration <2h> [--count 1] [--uses 1] [--school <id>]',
    summary: 'Create vouchers (codes typed as username and password); the time of each runs from its first use.',
    options: { role: { type: 'string' }, duration: { type: 'string' }, count: { type: 'string' }, uses: { type: 'string' }, school: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const vouchers = await services.vouchers.issue(principal, {
        role: required(input, 'role'),
        duration: parseDuration(required(input, 'duration')),
        count: whole(input, 'count', 1)!,
        uses: whole(input, 'uses', 1)!,
        ...(str(input, 'school') ? { school: str(input, 'school')! } : {}),
      });
      return { json: vouchers, text: table(['CODE', 'ROLE', 'DURATION', 'DEVICES'], vouchers.map((v) => [v.code, v.role, formatDuration(v.duration), v.uses])) };
    },
  },
  {
    name: 'voucher list',
    usage: '',
    summary: 'List vouchers with their use.',
    positionals: 0,
    async run({ services, principal }) {
      const vouchers = await services.vouchers.list(principal);
      return {
        json: vouchers,
        text: table(['CODE', 'ROLE', 'SCHOOL', 'DURATION', 'USED', 'FIRST USE'], vouchers.map((v) => [v.code, v.role, v.school, formatDuration(v.duration), `${v.used}/${v.uses}`, v.firstUsedAt?.slice(0, 19)])),
      };
    },
  },
];
