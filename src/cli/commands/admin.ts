import type { PublicAccount } from '../../store/accounts.js';
import { newPassword } from '../io.js';
import { table } from '../output.js';
import { flag, str, UsageError, type Command } from '../command.js';

function accountTable(accounts: PublicAccount[]): string {
  return table(['USERNAME', 'NAME', 'ROLE', 'SCHOOL', 'STATUS'], accounts.map((account) => [account.username, account.name, account.role, account.school, account.status]));
}

export const adminCommands: Command[] = [
  {
    name: 'admin create',
    usage: '<username> --role region-admin|school-admin|teacher [--school <id>] [--name <n>] [--wifi-role <role>] [--password-stdin]',
    summary: 'Create a console account (default region-admin). It is not a Wi-Fi login unless --wifi-role gives it one (e.g. staff), with the same password.',
    options: { school: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, 'wifi-role': { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const role = str(input, 'role') ?? 'region-admin';
      if (role !== 'region-admin' && str(input, 'school') === undefined) throw new UsageError(`a ${role} belongs to a school: give --school <id>`);
      const password = await newPassword(flag(input, 'password-stdin'));
      const optional = Object.fromEntries((['school', 'name'] as const).flatMap((name) => (str(input, name) === undefined ? [] : [[name, str(input, name)!]])));
      const wifiRole = str(input, 'wifi-role');
      const account = await services.accounts.create(principal, {
        username: input.positionals[0]!,
        password,
        role,
        ...optional,
        ...(wifiRole === undefined ? {} : { wifiRole }),
      });
      const wifi = wifiRole === undefined ? 'console only, no Wi-Fi login' : `also a Wi-Fi user (${wifiRole})`;
      return { json: account, text: `${account.role} ${account.username} created (${wifi})` };
    },
  },
  {
    name: 'admin list',
    usage: '',
    summary: 'List console accounts (never their passwords).',
    positionals: 0,
    async run({ services, principal }) {
      const accounts = await services.accounts.list(principal);
      return { json: accounts, text: accountTable(accounts) };
    },
  },
  ...(['disable', 'enable'] as const).map((action): Command => ({
    name: `admin ${action}`,
    usage: '<username>',
    summary: action === 'disable' ? 'Stop a console account from signing in.' : 'Let a disabled console account sign in again.',
    positionals: 1,
    async run({ services, principal }, input) {
      const account = await services.accounts.setStatus(principal, input.positionals[0]!, action === 'disable' ? 'disabled' : 'active');
      return { json: account, text: `console account ${account.username} ${action}d` };
    },
  })),
  {
    name: 'admin passwd',
    usage: '<username> [--password-stdin]',
    summary: "Set a console account's password (asked for, or read from standard input).",
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const result = await services.accounts.resetPassword(principal, input.positionals[0]!, await newPassword(flag(input, 'password-stdin')));
      return { json: result, text: `password of console account ${result.username} changed` };
    },
  },
];
