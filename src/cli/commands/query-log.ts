import { table } from '../output.js';
import { str, whole, type Command } from '../command.js';

export const queryLogCommands: Command[] = [
  {
    name: 'query-log on',
    usage: '<school> [--days 7]',
    summary: 'Keep a school\'s DNS queries (device, user, name, decision) for 1-30 days; off by default.',
    options: { days: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const school = input.positionals[0]!;
      const days = whole(input, 'days');
      await services.queryLog.enable(principal, school, days);
      return { json: { school, days: days ?? 7 }, text: `query log on for ${school} (${days ?? 7} days)` };
    },
  },
  {
    name: 'query-log off',
    usage: '<school>',
    summary: 'Stop the school\'s query log and delete every entry of it.',
    positionals: 1,
    async run({ services, principal }, input) {
      await services.queryLog.disable(principal, input.positionals[0]);
      return { json: { school: input.positionals[0], off: true }, text: `query log off for ${input.positionals[0]}; its entries are deleted` };
    },
  },
  {
    name: 'query-log show',
    usage: '<school> [--user <u>] [--domain <d>] [--count 200]',
    summary: 'The newest entries of a school\'s query log, filtered.',
    options: { user: { type: 'string' }, domain: { type: 'string' }, count: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const user = str(input, 'user');
      const domain = str(input, 'domain');
      const count = whole(input, 'count');
      const entries = await services.queryLog.read(principal, input.positionals[0], { ...(user ? { user } : {}), ...(domain ? { domain } : {}), ...(count ? { count } : {}) });
      return { json: entries, text: table(['TIME', 'DEVICE', 'USER', 'NAME', 'DECISION'], entries.map((e) => [new Date(e.at).toISOString().slice(0, 19), e.ip, e.user, e.domain, e.decision])) };
    },
  },
];
