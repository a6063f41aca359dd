// `mektep content …`: category lists, content profiles, network mappings, and `check`, which
// explains a decision with the resolver's own code (store/content-resolver.ts, policy/content.ts).
import type { ContentDecision } from '../../policy/content.js';
import type { CategoryImport } from '../../store/content-categories.js';
import type { Asker, ProfileChoice } from '../../store/content-resolver.js';
import { readInputFile, readStdin } from '../io.js';
import { fields, table } from '../output.js';
import { flag, required, str, UsageError, type Command } from '../command.js';
import { contentProfileCommands } from './content-profile.js';

function importText(report: CategoryImport): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const head = `${report.category}: ${count(report.lines, 'line')} read, ${count(report.kept, 'domain')} kept, ${count(report.duplicates, 'duplicate')}, ${count(report.refused, 'line')} refused; ${count(report.domains, 'domain')} in the category`;
  const collisions = report.collisions > 0 ? `\n  ${report.collisions} names share a 64-bit hash with another (each then matches for the other)` : '';
  const refused = report.examples.map((example) => `\n  line ${example.line}: ${JSON.stringify(example.text)}: ${example.reason}`).join('');
  return `${head}${collisions}${refused}${report.refused > report.examples.length ? `\n  … and ${report.refused - report.examples.length} more` : ''}`;
}

const FROM: Record<ProfileChoice['from'], string> = {
  'role-policy': "named by the role's policy",
  'role-default': "the role's default",
  network: 'mapped to the network',
  'guest-default': 'unknown client: the guest role’s profile',
};

function decisionText(decision: ContentDecision): string {
  switch (decision.action) {
    case 'nxdomain':
      return 'NXDOMAIN: the DNS-over-HTTPS canary, so browsers keep using this resolver';
    case 'rewrite':
      return `rewritten: CNAME ${decision.target} (${decision.rule === 'youtube' ? 'YouTube restricted mode' : `${decision.engine} SafeSearch`})`;
    case 'allow':
      if (decision.rule === 'focus-allow') return `allowed: on the lesson focus allow-list (${decision.domain})`;
      if (decision.rule === 'granted') return `allowed: a teacher granted ${decision.domain} to this device's class or person for now`;
      return decision.rule === 'allow-domain' ? `allowed: always-allowed domain ${decision.domain}` : 'allowed: no rule blocks it';
    case 'block':
      if (decision.rule === 'category') return `blocked: category ${decision.category} (listed: ${decision.domain})`;
      if (decision.rule === 'block-domain') return `blocked: blocked domain ${decision.domain}`;
      if (decision.rule === 'allow-only') return 'blocked: allow-only mode and the name is not on the allowed list';
      if (decision.rule === 'focus') return `blocked: lesson focus "${decision.lesson}" until ${new Date(decision.until).toISOString()}`;
      return `blocked: SafeSearch is on and ${decision.domain} has no DNS SafeSearch`;
  }
}

function askerText(asker: Asker, ip: string | undefined): string {
  if (asker.via === 'session') return `${asker.user ?? '?'} (${asker.role ?? 'no role'}${asker.school ? ` at ${asker.school}` : ''}, live session on ${ip})`;
  if (asker.via === 'network') return `${ip} (no session; network ${asker.network})`;
  if (asker.via === 'unknown') return `${ip} (no session, no mapped network)`;
  return `role ${asker.role}${asker.school ? ` at ${asker.school}` : ''}`;
}

export const contentCommands: Command[] = [
  {
    name: 'content import',
    usage: '<category> <file|-> [--replace]',
    summary: 'Import a category list (hosts file, plain domains, *. wildcards, Adblock ||name^, # and ! comments; - reads standard input) into a category, adding to it or --replace-ing it; reports lines read, domains kept and lines refused.',
    options: { replace: { type: 'boolean' } },
    positionals: 2,
    async run({ services, principal }, input) {
      const [category, file] = input.positionals as [string, string];
      const text = file === '-' ? await readStdin('category list') : await readInputFile(file);
      const report = await services.content.importCategory(principal, category, text, flag(input, 'replace'));
      return { json: report, text: importText(report) };
    },
  },
  {
    name: 'content categories',
    usage: '',
    summary: 'List the imported category lists with their sizes.',
    positionals: 0,
    async run({ services, principal }) {
      const list = await services.content.listCategories(principal);
      return { json: list, text: table(['category', 'domains', 'updated'], list.map((entry) => [entry.name, entry.domains, entry.updatedAt])) };
    },
  },
  {
    name: 'content category remove',
    usage: '<category>',
    summary: 'Remove a category list (profiles that block it then block nothing through it).',
    positionals: 1,
    async run({ services, principal }, input) {
      await services.content.removeCategory(principal, input.positionals[0]!);
      return { json: { removed: input.positionals[0] }, text: `category ${input.positionals[0]} removed` };
    },
  },
  ...contentProfileCommands,
  {
    name: 'content network add',
    usage: '<cidr> --school <id> --profile <name>',
    summary: 'Map a network (NATed classroom, wired lab) to a school and content profile, for addresses without a RADIUS session.',
    options: { school: { type: 'string' }, profile: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const entry = await services.content.addNetwork(principal, input.positionals[0]!, required(input, 'school'), required(input, 'profile'));
      return { json: entry, text: `${entry.network} → school ${entry.school}, profile ${entry.profile}` };
    },
  },
  {
    name: 'content network list',
    usage: '',
    summary: 'List the network mappings.',
    positionals: 0,
    async run({ services, principal }) {
      const list = await services.content.listNetworks(principal);
      return { json: list, text: table(['network', 'school', 'profile'], list.map((entry) => [entry.network, entry.school, entry.profile])) };
    },
  },
  {
    name: 'content network remove',
    usage: '<cidr>',
    summary: 'Remove a network mapping.',
    positionals: 1,
    async run({ services, principal }, input) {
      await services.content.removeNetwork(principal, input.positionals[0]!);
      return { json: { removed: input.positionals[0] }, text: `${input.positionals[0]} removed` };
    },
  },
  {
    name: 'content check',
    usage: '<domain> (--ip <client-ip> | --role <role> [--school <id>])',
    summary: "Explain what the resolver answers for a name: who asks, which profile applies and why, and the rule (and category) that decides.",
    options: { ip: { type: 'string' }, role: { type: 'string' }, school: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const ip = str(input, 'ip');
      const role = str(input, 'role');
      if ((ip === undefined) === (role === undefined)) throw new UsageError('give --ip <client-ip> or --role <role>');
      const school = str(input, 'school');
      const check = await services.content.check(principal, input.positionals[0]!, ip !== undefined ? { ip } : { role: role!, ...(school ? { school } : {}) });
      const profileLine = `${check.profile} (${FROM[check.from]})${check.missing ? ` — "${check.missing}" does not exist, so "safe" applies` : ''}`;
      return {
        json: check,
        text: fields([['name', check.name], ['asking', askerText(check.asker, ip)], ['profile', profileLine], ['answer', decisionText(check.decision)]]),
      };
    },
  },
];
