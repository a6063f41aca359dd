import { table } from '../output.js';
import { required, str, type Command } from '../command.js';

export const schoolCommands: Command[] = [
  {
    name: 'school add',
    usage: '<id> --name <name> [--timezone Asia/Almaty]',
    summary: 'Add a school (site); its time zone decides schedules and daily quotas.',
    options: { name: { type: 'string' }, timezone: { type: 'string' } },
    positionals: 1,
    async run({ store, actor }, input) {
      const school = await store.schools.add({ id: input.positionals[0]!, name: required(input, 'name'), ...(str(input, 'timezone') ? { timezone: str(input, 'timezone')! } : {}) }, actor);
      return { json: school, text: `school ${school.id} added (${school.name}, ${school.timezone})` };
    },
  },
  {
    name: 'school list',
    usage: '',
    summary: 'List schools.',
    positionals: 0,
    async run({ store }) {
      const schools = await store.schools.list();
      return { json: schools, text: table(['ID', 'NAME', 'TIMEZONE'], schools.map((school) => [school.id, school.name, school.timezone])) };
    },
  },
];
