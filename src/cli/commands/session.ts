import { NotFoundError } from '../../errors.js';
import { formatBytes } from '../../policy/units.js';
import { enforcementReport } from '../enforcement-report.js';
import { table } from '../output.js';
import { str, type Command } from '../command.js';

export const sessionCommands: Command[] = [
  {
    name: 'session list',
    usage: '[--school <id>] [--user <u>]',
    summary: 'List live sessions, as the access points report them in accounting.',
    options: { school: { type: 'string' }, user: { type: 'string' } },
    positionals: 0,
    async run({ store }, input) {
      const sessions = await store.sessions.list({ ...(str(input, 'school') ? { school: str(input, 'school')! } : {}), ...(str(input, 'user') ? { user: str(input, 'user')!.toLowerCase() } : {}) });
      return {
        json: sessions,
        text: table(
          ['USER', 'MAC', 'IP', 'NAS', 'SCHOOL', 'ROLE', 'STARTED', 'DOWN', 'UP', 'SESSION'],
          sessions.map((s) => [s.user, s.mac, s.ip, s.nas, s.school, s.role, s.startedAt.slice(0, 19), formatBytes(s.outOctets), formatBytes(s.inOctets), s.sessionId]),
        ),
      };
    },
  },
  {
    name: 'session kick',
    usage: '<session-id>',
    summary: 'End a live session now (Disconnect-Request to its access point); the id is the SESSION column of session list, with its NAS: "<nas>|<Acct-Session-Id>".',
    positionals: 1,
    async run({ live, actor }, input) {
      const result = await (await live()).enforcer.disconnectById(input.positionals[0]!, 'kicked by an administrator', actor);
      if (!result) throw new NotFoundError(`no live session "${input.positionals[0]}" (see mektep session list --json for ids)`);
      return { json: result, text: enforcementReport([result]), exitCode: result.outcome === 'ack' ? 0 : 1 };
    },
  },
];
