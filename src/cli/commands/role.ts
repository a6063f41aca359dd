import type { Command } from '../command.js';

export const roleCommands: Command[] = [
  {
    name: 'role add',
    usage: '<name>',
    summary: 'Add a network role (besides student, teacher, staff, guest); it has no limits until a policy is set.',
    positionals: 1,
    async run({ store, actor }, input) {
      const role = await store.roles.add(input.positionals[0]!, actor);
      return { json: { role }, text: `role ${role} added` };
    },
  },
  {
    name: 'role list',
    usage: '',
    summary: 'List network roles.',
    positionals: 0,
    async run({ store }) {
      const roles = await store.roles.list();
      return { json: roles, text: roles.join('\n') };
    },
  },
];
