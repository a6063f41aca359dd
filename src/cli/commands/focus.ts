import { table } from '../output.js';
import { list, required, str, UsageError, whole, type Command } from '../command.js';

const commaList = (values: string[]) => values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);

export const focusCommands: Command[] = [
  {
    name: 'focus start',
    usage: '--school <id> (--nas <ip>… | --group <g> | --users a,b) --minutes 45 --allow exam.example,lms.example [--name "Algebra test"]',
    summary: 'Lesson focus: the chosen devices resolve only the allowed sites until it ends (teachers and staff are never affected).',
    options: { school: { type: 'string' }, nas: { type: 'string', multiple: true }, group: { type: 'string' }, users: { type: 'string' }, minutes: { type: 'string' }, allow: { type: 'string', multiple: true }, name: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const allowed = commaList(list(input, 'allow'));
      if (allowed.length === 0) throw new UsageError('--allow names the sites that stay reachable (comma-separated)');
      const focus = await services.focus.start(principal, {
        school: required(input, 'school'),
        nas: commaList(list(input, 'nas')),
        ...(str(input, 'group') ? { group: str(input, 'group')! } : {}),
        users: commaList([str(input, 'users') ?? '']),
        minutes: whole(input, 'minutes') ?? Number(required(input, 'minutes')),
        allow: allowed,
        ...(str(input, 'name') ? { name: str(input, 'name')! } : {}),
      });
      return { json: focus, text: `focus ${focus.id} (${focus.name}) at ${focus.school} until ${new Date(focus.until).toISOString().slice(0, 16)}Z` };
    },
  },
  {
    name: 'focus list',
    usage: '[--school <id>]',
    summary: 'Lesson focuses running now.',
    options: { school: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const running = await services.focus.list(principal, str(input, 'school'));
      return {
        json: running,
        text: table(['ID', 'SCHOOL', 'LESSON', 'WHO', 'ALLOWED', 'UNTIL', 'STARTED BY'], running.map((f) => [f.id, f.school, f.name, f.group ? `group ${f.group}` : f.nas.length ? `NAS ${f.nas.join(' ')}` : `${f.users.length} student(s)`, f.allow.join(' '), new Date(f.until).toISOString().slice(0, 16), f.startedBy])),
      };
    },
  },
  {
    name: 'focus stop',
    usage: '<id>',
    summary: 'End a lesson focus now.',
    positionals: 1,
    async run({ services, principal }, input) {
      const focus = await services.focus.stop(principal, input.positionals[0]!);
      return { json: { stopped: focus.id }, text: `focus ${focus.id} stopped` };
    },
  },
];
