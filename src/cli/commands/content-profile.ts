// `mektep content profile …`: region-wide content profiles and per-school overrides.
import { ValidationError } from '../../errors.js';
import { YOUTUBE_MODES, type ContentProfile, type ContentProfileField } from '../../policy/content.js';
import type { ContentProfileView } from '../../store/content-profiles.js';
import { fields } from '../output.js';
import { str, type Command, type CommandInput } from '../command.js';

function onOff(value: string, flagName: string): boolean {
  if (!/^(yes|no|on|off|true|false)$/.test(value)) throw new ValidationError(`--${flagName} takes on or off (yes or no)`);
  return /^(yes|on|true)$/.test(value);
}

const commaList = (value: string) => value.split(',').map((item) => item.trim()).filter(Boolean);

/** Command-line flag → profile field and how to read it. */
const PROFILE_FLAGS: Record<string, { field: ContentProfileField; parse: (value: string, flagName: string) => unknown }> = {
  'block-categories': { field: 'blockCategories', parse: commaList },
  'block-domains': { field: 'blockDomains', parse: commaList },
  'allow-domains': { field: 'allowDomains', parse: commaList },
  safesearch: { field: 'safeSearch', parse: onOff },
  youtube: {
    field: 'youtube',
    parse: (value) => {
      if (!(YOUTUBE_MODES as readonly string[]).includes(value)) throw new ValidationError(`--youtube takes ${YOUTUBE_MODES.join(', ')}`);
      return value;
    },
  },
  'allow-only': { field: 'allowOnly', parse: onOff },
};

function profileRows(view: ContentProfileView): [string, string][] {
  const mark = (field: keyof ContentProfile) => (view.overridden.includes(field) ? ' *' : '');
  const list = (values: string[]) => (values.length > 0 ? values.join(', ') : '-');
  const { effective } = view;
  return [
    ['block-categories', `${list(effective.blockCategories)}${mark('blockCategories')}`],
    ['block-domains', `${list(effective.blockDomains)}${mark('blockDomains')}`],
    ['allow-domains', `${list(effective.allowDomains)}${mark('allowDomains')}`],
    ['safesearch', `${effective.safeSearch ? 'on' : 'off'}${mark('safeSearch')}`],
    ['youtube', `${effective.youtube}${mark('youtube')}`],
    ['allow-only', `${effective.allowOnly ? 'yes' : 'no'}${mark('allowOnly')}`],
  ];
}

function show(view: ContentProfileView): string {
  if (!view.exists) return `${view.name} is not defined${view.school ? ` for school ${view.school}` : ''}: roles and networks that name it get "safe"`;
  const title = `${view.name}${view.school ? ` (school ${view.school}; * = set for this school)` : ''}${view.builtIn ? ' [built-in]' : ''}`;
  return `${title}\n${fields(profileRows(view)).replace(/^/gm, '  ')}`;
}

function fieldsOf(input: CommandInput): Partial<Record<ContentProfileField, unknown>> {
  const profile: Partial<Record<ContentProfileField, unknown>> = {};
  for (const [name, spec] of Object.entries(PROFILE_FLAGS)) {
    const value = str(input, name);
    if (value !== undefined) profile[spec.field] = spec.parse(value, name);
  }
  return profile;
}

export const contentProfileCommands: Command[] = [
  {
    name: 'content profile set',
    usage: '<name> [--block-categories a,b] [--block-domains x,y] [--allow-domains x,y] [--safesearch on|off] [--youtube strict|moderate|off] [--allow-only yes|no] [--school <id>]',
    summary: 'Set a content profile region-wide, or a school’s override of it (only the fields given change; lists are replaced whole). Roles name their profile with `policy set <role> --content-profile <name>`.',
    options: { school: { type: 'string' }, ...Object.fromEntries(Object.keys(PROFILE_FLAGS).map((name) => [name, { type: 'string' as const }])) },
    positionals: 1,
    async run({ services, principal }, input) {
      const view = await services.content.setProfile(principal, input.positionals[0]!, str(input, 'school'), fieldsOf(input));
      return { json: view, text: show(view) };
    },
  },
  {
    name: 'content profile show',
    usage: '<name> [--school <id>]',
    summary: 'Show a content profile as it applies (region-wide, or with a school’s override).',
    options: { school: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const view = await services.content.viewProfile(principal, input.positionals[0]!, str(input, 'school'));
      return { json: view, text: show(view) };
    },
  },
  {
    name: 'content profile list',
    usage: '',
    summary: 'List the content profiles: built-in, stored, and school overrides (name@school).',
    positionals: 0,
    async run({ services, principal }) {
      const ids = await services.content.listProfiles(principal);
      return { json: ids, text: ids.join('\n') };
    },
  },
  {
    name: 'content profile remove',
    usage: '<name> [--school <id>]',
    summary: 'Remove a stored profile or a school’s override (a built-in profile goes back to its defaults).',
    options: { school: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const id = await services.content.removeProfile(principal, input.positionals[0]!, str(input, 'school'));
      return { json: { removed: id }, text: `content profile ${id} removed` };
    },
  },
];
