import { ValidationError } from '../../errors.js';
import { formatDuration, parseDuration } from '../../policy/units.js';
import { table } from '../output.js';
import { required, str, type Command } from '../command.js';

function count(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ValidationError(`${what} must be a whole number`);
  return Number(value);
}

export const voucherCommands: Command[] = [
  {
    name: 'voucher create',
    usage: '--role <role> --duration <2h> [--count 1] [--uses 1] [--school <id>]',
    summary: 'Create vouchers (codes typed as username and password); the time of each runs from its first use.',
    options: { role: { type: 'string' }, duration: { type: 'string' }, count: { type: 'string' }, uses: { type: 'string' }, school: { type: 'string' } },
    positionals: 0,
    async run({ store, actor }, input) {
      const vouchers = await store.vouchers.create({
        role: required(input, 'role'),
        duration: parseDuration(required(input, 'duration')),
        count: count(str(input, 'count'), 1, '--count'),
        uses: count(str(input, 'uses'), 1, '--uses'),
        ...(str(input, 'school') ? { school: str(input, 'school')! } : {}),
      }, actor);
      return { json: vouchers, text: table(['CODE', 'ROLE', 'DURATION', 'DEVICES'], vouchers.map((v) => [v.code, v.role, formatDuration(v.duration), v.uses])) };
    },
  },
  {
    name: 'voucher list',
    usage: '',
    summary: 'List vouchers with their use.',
    positionals: 0,
    async run({ store }) {
      const vouchers = await store.vouchers.list();
      return {
        json: vouchers,
        text: table(['CODE', 'ROLE', 'SCHOOL', 'DURATION', 'USED', 'FIRST USE'], vouchers.map((v) => [v.code, v.role, v.school, formatDuration(v.duration), `${v.used}/${v.uses}`, v.firstUsedAt?.slice(0, 19)])),
      };
    },
  },
];
