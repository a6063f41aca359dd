import { ValidationError } from '../../errors.js';
import type { NewUser, PublicUser } from '../../store/users.js';
import { newPassword, readStdin } from '../io.js';
import { enforcementReport } from '../enforcement-report.js';
import { table } from '../output.js';
import { flag, required, str, UsageError, type Command, type CommandInput } from '../command.js';

function optional(input: CommandInput, names: Record<string, keyof NewUser>): Partial<NewUser> {
  const out: Partial<NewUser> = {};
  for (const [option, field] of Object.entries(names)) {
    const value = str(input, option);
    if (value !== undefined) (out as Record<string, string>)[field] = value;
  }
  return out;
}

function userTable(users: PublicUser[]): string {
  return table(
    ['USERNAME', 'NAME', 'ROLE', 'SCHOOL', 'STATUS', 'EXPIRES'],
    users.map((user) => [user.username, user.name, user.role, user.school, user.status, user.expiresAt?.slice(0, 10)]),
  );
}

export const userCommands: Command[] = [
  {
    name: 'user add',
    usage: '<username> --role <role> [--password <p> | --password-stdin] [--school <id>] [--name <n>] [--expires YYYY-MM-DD]',
    summary: 'Add a Wi-Fi user; without a password one is generated and shown once.',
    options: {
      role: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      school: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
    },
    positionals: 1,
    async run({ services, principal }, input) {
      if (str(input, 'password') !== undefined && flag(input, 'password-stdin')) throw new UsageError('give --password or --password-stdin, not both');
      const given = str(input, 'password') ?? (flag(input, 'password-stdin') ? await readStdin('password') : undefined);
      const user = await services.users.add(principal, {
        username: input.positionals[0]!,
        role: required(input, 'role'),
        ...(given === undefined ? {} : { password: given }),
        ...optional(input, { school: 'school', name: 'name', expires: 'expiresAt' }),
      });
      const shown = user.generatedPassword === undefined ? '' : `\npassword: ${user.generatedPassword}  (shown once)`;
      return { json: user, text: `user ${user.username} added (${user.role})${shown}` };
    },
  },
  {
    name: 'user list',
    usage: '[--school <id>] [--search <text>] [--role <role>]',
    summary: 'List users (never their passwords); --search matches part of the username or name.',
    options: { school: { type: 'string' }, search: { type: 'string' }, role: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const filter = Object.fromEntries((['school', 'search', 'role'] as const).flatMap((name) => (str(input, name) === undefined ? [] : [[name, str(input, name)!]])));
      const users = await services.users.list(principal, filter);
      return { json: users, text: userTable(users) };
    },
  },
  ...(['disable', 'enable'] as const).map((action): Command => ({
    name: `user ${action}`,
    usage: '<username>',
    summary: action === 'disable' ? 'Refuse a user from now on and end their live sessions.' : 'Let a disabled user in again.',
    positionals: 1,
    async run({ services, principal }, input) {
      const result = await services.users.setStatus(principal, input.positionals[0]!, action === 'disable' ? 'disabled' : 'active');
      const report = result.sessions ? `\n${enforcementReport(result.sessions)}` : '';
      return { json: result, text: `user ${result.username} ${action}d${report}` };
    },
  })),
  {
    name: 'user passwd',
    usage: '<username> [--password-stdin]',
    summary: "Set a user's password (asked for, or read from standard input).",
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: 1,
    async run({ services, principal }, input) {
      // Checked first, so nobody types a password twice for a user that does not exist.
      await services.users.get(principal, input.positionals[0]!);
      const result = await services.users.resetPassword(principal, input.positionals[0]!, await newPassword(flag(input, 'password-stdin')));
      return { json: result, text: `password of ${result.username} changed` };
    },
  },
  {
    name: 'user expire',
    usage: '<username> <YYYY-MM-DD | ISO time | never>',
    summary: 'Set when a user stops being let in (a bare date: the end of that day, UTC), or never.',
    positionals: 2,
    async run({ services, principal }, input) {
      const when = input.positionals[1]!;
      if (when !== 'never' && Number.isNaN(Date.parse(when))) throw new ValidationError(`"${when}" is not a date (use YYYY-MM-DD, an ISO 8601 time or never)`);
      const user = await services.users.setExpiry(principal, input.positionals[0]!, when === 'never' ? null : when);
      return { json: user, text: `user ${user.username} ${user.expiresAt ? `expires ${user.expiresAt}` : 'never expires'}` };
    },
  },
  {
    name: 'user forget',
    usage: '<username> --yes',
    summary: 'Remove a person\'s personal data everywhere (user, devices, sessions, usage, stop records, tokens, groups, focus, site requests, query log, ' +
      'guest requests and voucher redemptions of their devices); their audit entries become one tombstone without their name. Irreversible.',
    options: { yes: { type: 'boolean' } },
    positionals: 1,
    async run({ services, principal }, input) {
      if (!flag(input, 'yes')) throw new UsageError('forgetting cannot be undone: add --yes');
      const forgotten = await services.retention.forgetUser(principal, input.positionals[0]!);
      return {
        json: forgotten,
        text: `forgotten as ${forgotten.pseudonym}: ${forgotten.devices} devices, ${forgotten.sessions} sessions, ${forgotten.keys} counters and tokens, ` +
          `${forgotten.stopRecords} stop records, ${forgotten.groups} groups, ${forgotten.focuses} focuses, ${forgotten.siteRequests} site requests, ` +
          `${forgotten.guestRequests} guest requests, ${forgotten.queryLogEntries} query-log entries; ${forgotten.auditEntries} audit entries replaced by one without the name`,
      };
    },
  },
];
