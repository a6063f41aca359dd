import { formatBytes } from '../../policy/units.js';
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
];
