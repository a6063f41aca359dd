import { formatBytes } from '../../policy/units.js';
import { enforcementReport } from '../enforcement-report.js';
import { table } from '../output.js';
import { str, type Command } from '../command.js';

export const sessionCommands: Command[] = [
  {
    name: 'session list',
    usage: '[--school <id>] [--user <u>] [--mac <mac>] [--nas <address>] [--role <role>]',
    summary: 'List live sessions, as the access points report them in accounting.',
    options: { school: { type: 'string' }, user: { type: 'string' }, mac: { type: 'string' }, nas: { type: 'string' }, role: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const filter = Object.fromEntries((['school', 'user', 'mac', 'nas', 'role'] as const).flatMap((name) => (str(input, name) === undefined ? [] : [[name, str(input, name)!]])));
      const sessions = await services.sessions.list(principal, filter);
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
    summary: 'End a live session now (Disconnect-Request to its access point); the id is the SESSION column of session list, or the full id of session list --json when two access points use the same one.',
    positionals: 1,
    async run({ services, principal }, input) {
      const result = await services.sessions.kick(principal, input.positionals[0]!);
      return { json: result, text: enforcementReport([result]), exitCode: result.outcome === 'ack' ? 0 : 1 };
    },
  },
];
