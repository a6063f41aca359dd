import { readCsvFile } from '../io.js';
import { table } from '../output.js';
import { required, str, UsageError, type Command } from '../command.js';
import { membersOfCsv } from '../../services/groups.js';

const options = { school: { type: 'string' }, users: { type: 'string' }, csv: { type: 'string' }, encoding: { type: 'string' } } as const;

/** Members from --users a,b or --csv <file> (a user import's CSV: its username column). */
async function members(input: Parameters<Command['run']>[1]): Promise<string[]> {
  const users = str(input, 'users');
  const csv = str(input, 'csv');
  if ((users === undefined) === (csv === undefined)) throw new UsageError('give the members with --users a,b or --csv <file>');
  return users !== undefined ? users.split(',').map((name) => name.trim()).filter(Boolean) : membersOfCsv(await readCsvFile(csv!, str(input, 'encoding')));
}

export const groupCommands: Command[] = [
  {
    name: 'group add',
    usage: '<name> --school <id> (--users a,b | --csv <file> [--encoding utf-8|windows-1251])',
    summary: 'A named group of students (a class), for lesson focus.',
    options,
    positionals: 1,
    async run({ services, principal }, input) {
      const group = await services.groups.add(principal, required(input, 'school'), input.positionals[0]!, await members(input));
      return { json: group, text: `group ${group.name} at ${group.school}: ${group.members.length} member(s)` };
    },
  },
  {
    name: 'group set',
    usage: '<name> --school <id> (--users a,b | --csv <file>)',
    summary: 'Replace a group\'s members.',
    options,
    positionals: 1,
    async run({ services, principal }, input) {
      const group = await services.groups.set(principal, required(input, 'school'), input.positionals[0]!, await members(input));
      return { json: group, text: `group ${group.name} at ${group.school}: ${group.members.length} member(s)` };
    },
  },
  {
    name: 'group list',
    usage: '--school <id>',
    summary: 'A school\'s groups.',
    options: { school: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const groups = await services.groups.list(principal, required(input, 'school'));
      return { json: groups, text: table(['GROUP', 'MEMBERS'], groups.map((group) => [group.name, group.members.join(' ')])) };
    },
  },
  {
    name: 'group remove',
    usage: '<name> --school <id>',
    summary: 'Remove a group (running focuses keep their students).',
    options: { school: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      await services.groups.remove(principal, required(input, 'school'), input.positionals[0]!);
      return { json: { removed: input.positionals[0] }, text: `group ${input.positionals[0]} removed` };
    },
  },
];
