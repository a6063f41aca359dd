import type { Command } from '../command.js';

export const roleCommands: Command[] = [
  {
    name: 'role add',
    usage: '<name>',
    summary: 'Add a network role (besides student, teacher, staff, guest); it has no limits until a policy is set.',
    positionals: 1,
    async run({ services, principal }, input) {
      const role = await services.schools.addRole(principal, input.positionals[0]!);
      return { json: { role }, text: `role ${role} added` };
    },
  },
  {
    name: 'role list',
    usage: '',
    summary: 'List network roles.',
    positionals: 0,
    async run({ services, principal }) {
      const roles = await services.schools.listRoles(principal);
      return { json: roles, text: roles.join('\n') };
    },
  },
];
