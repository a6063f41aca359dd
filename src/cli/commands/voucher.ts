import { formatDuration, parseDuration } from '../../policy/units.js';
import { endOfDayIn } from '../../services/vouchers.js';
import { DEFAULT_TIMEZONE } from '../../store/schools.js';
import { table } from '../output.js';
import { required, str, UsageError, whole, type Command } from '../command.js';

/** "2026-03-12" (the end of that day in the school's time zone) or a full ISO time. */
function parseValidUntil(value: string, timeZone: string): number {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? endOfDayIn(value, timeZone) : Date.parse(value);
  if (Number.isNaN(at)) throw new UsageError(`--valid-until "${value}" is not a date (2026-03-12 or 2026-03-12T20:00:00+05:00)`);
  return at;
}

export const voucherCommands: Command[] = [
  {
    name: 'voucher create',
    usage: '--role <role> --duration <2h> [--count 1] [--uses 1] [--school <id>] [--note "Parents\' evening"] [--valid-until 2026-03-12]',
    summary: 'Issue a batch of vouchers (codes typed on the portal, or as username and password); the time of each runs from its first use.',
    options: { role: { type: 'string' }, duration: { type: 'string' }, count: { type: 'string' }, uses: { type: 'string' }, school: { type: 'string' }, note: { type: 'string' }, 'valid-until': { type: 'string' } },
    positionals: 0,
    async run({ services, principal, store }, input) {
      const validUntil = str(input, 'valid-until');
      const school = str(input, 'school');
      const timeZone = (school ? (await store.schools.get(school))?.timezone : undefined) ?? DEFAULT_TIMEZONE;
      const { batch, vouchers } = await services.vouchers.issue(principal, {
        role: required(input, 'role'),
        duration: parseDuration(required(input, 'duration')),
        count: whole(input, 'count', 1)!,
        uses: whole(input, 'uses', 1)!,
        ...(str(input, 'school') ? { school: str(input, 'school')! } : {}),
        ...(str(input, 'note') ? { note: str(input, 'note')! } : {}),
        ...(validUntil ? { validUntil: parseValidUntil(validUntil, timeZone) } : {}),
      });
      const heading = `batch ${batch.id}${batch.note ? ` (${batch.note})` : ''}, valid until ${batch.validUntil.slice(0, 16)}\n`;
      return { json: { ...batch, codes: vouchers.map((voucher) => voucher.code) }, text: heading + table(['CODE', 'ROLE', 'DURATION', 'DEVICES'], vouchers.map((v) => [v.code, v.role, formatDuration(v.duration), v.uses])) };
    },
  },
  {
    name: 'voucher list',
    usage: '[--batches]',
    summary: 'List vouchers with their use, or (--batches) the batches with their note and used/unused counts.',
    options: { batches: { type: 'boolean' } },
    positionals: 0,
    async run({ services, principal }, input) {
      if (input.values.batches) {
        const batches = await services.vouchers.batches(principal);
        return {
          json: batches,
          text: table(['BATCH', 'NOTE', 'ROLE', 'SCHOOL', 'DURATION', 'USED', 'UNUSED', 'REVOKED', 'VALID UNTIL'], batches.map((b) => [b.id, b.note, b.role, b.school, formatDuration(b.duration), b.used, b.unused, b.revoked, b.validUntil.slice(0, 16)])),
        };
      }
      const vouchers = await services.vouchers.list(principal);
      return {
        json: vouchers,
        text: table(['CODE', 'ROLE', 'SCHOOL', 'DURATION', 'USED', 'FIRST USE', 'BATCH', 'STATE'], vouchers.map((v) => [v.code, v.role, v.school, formatDuration(v.duration), `${v.used}/${v.uses}`, v.firstUsedAt?.slice(0, 19), v.batch, v.revoked ? 'revoked' : ''])),
      };
    },
  },
  {
    name: 'voucher revoke',
    usage: '<code | batch id>',
    summary: 'Revoke a voucher or a whole batch; devices online with it are disconnected.',
    positionals: 1,
    async run({ services, principal }, input) {
      const { revoked, disconnected } = await services.vouchers.revoke(principal, input.positionals[0]!);
      return { json: { revoked: revoked.map((voucher) => voucher.code), disconnected }, text: `${revoked.length} voucher(s) revoked, ${disconnected} session(s) disconnected` };
    },
  },
];
