import { ValidationError } from '../../errors.js';
import { generatePassword } from '../../security/password.js';
import { CONSOLE_ROLES, type ConsoleRole, type NewUser, type PublicUser } from '../../store/users.js';
import { newPassword, readStdin } from '../io.js';
import { enforcementReport } from '../enforcement-report.js';
import { table } from '../output.js';
import { flag, required, str, type Command, type CommandInput } from '../command.js';

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
    ['USERNAME', 'NAME', 'ROLE', 'SCHOOL', 'STATUS', 'EXPIRES', 'CONSOLE'],
    users.map((user) => [user.username, user.name, user.role, user.school, user.status, user.expiresAt?.slice(0, 10), user.consoleRole]),
  );
}

export const userCommands: Command[] = [
  {
    name: 'admin create',
    usage: '<username> [--school <id>] [--role region-admin|school-admin|teacher] [--name <n>] [--password-stdin]',
    summary: 'Create a console account (default region-admin); the password is asked for, or read from standard input.',
    options: { school: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    positionals: 1,
    async run({ store, actor }, input) {
      const consoleRole = (str(input, 'role') ?? 'region-admin') as ConsoleRole;
      if (!CONSOLE_ROLES.includes(consoleRole)) throw new ValidationError(`--role must be one of ${CONSOLE_ROLES.join(', ')}`);
      const password = await newPassword(flag(input, 'password-stdin'));
      const user = await store.users.add({
        username: input.positionals[0]!,
        password,
        role: consoleRole === 'teacher' ? 'teacher' : 'staff',
        consoleRole,
        ...optional(input, { school: 'school', name: 'name' }),
      }, actor);
      return { json: user, text: `${consoleRole} ${user.username} created` };
    },
  },
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
    async run({ store, actor }, input) {
      if (str(input, 'password') !== undefined && flag(input, 'password-stdin')) throw new ValidationError('give --password or --password-stdin, not both');
      const given = str(input, 'password') ?? (flag(input, 'password-stdin') ? await readStdin('password') : undefined);
      const password = given ?? generatePassword();
      const user = await store.users.add({
        username: input.positionals[0]!,
        password,
        role: required(input, 'role'),
        ...optional(input, { school: 'school', name: 'name', expires: 'expiresAt' }),
      }, actor);
      const generated = given === undefined ? { generatedPassword: password } : {};
      return {
        json: { ...user, ...generated },
        text: `user ${user.username} added (${user.role})${given === undefined ? `\npassword: ${password}  (shown once)` : ''}`,
      };
    },
  },
  {
    name: 'user list',
    usage: '[--school <id>]',
    summary: 'List users (never their passwords).',
    options: { school: { type: 'string' } },
    positionals: 0,
    async run({ store }, input) {
      const users = await store.users.list(str(input, 'school'));
      return { json: users, text: userTable(users) };
    },
  },
  ...(['disable', 'enable'] as const).map((action): Command => ({
    name: `user ${action}`,
    usage: '<username>',
    summary: action === 'disable' ? 'Refuse a user from now on.' : 'Let a disabled user in again.',
    positionals: 1,
    async run({ store, actor, live }, input) {
      const status = action === 'disable' ? 'disabled' : 'active';
      await store.users.setStatus(input.positionals[0]!, status, actor);
      const username = input.positionals[0]!.toLowerCase();
      if (action === 'enable') return { json: { username, status }, text: `user ${username} enabled` };
      // A disabled user's live sessions end now, not at their next timeout.
      const sessions = await (await live()).enforcer.disconnectUser(username, 'account disabled', actor);
      return { json: { username, status, sessions }, text: `user ${username} disabled\n${enforcementReport(sessions)}` };
    },
  })),
  {
    name: 'user passwd',
    usage: '<username> [--password-stdin]',
    summary: "Set a user's password (asked for, or read from standard input).",
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: 1,
    async run({ store, actor }, input) {
      await store.users.require(input.positionals[0]!);
      await store.users.setPassword(input.positionals[0]!, await newPassword(flag(input, 'password-stdin')), actor);
      return { json: { username: input.positionals[0]!.toLowerCase(), passwordChanged: true }, text: `password of ${input.positionals[0]} changed` };
    },
  },
];
