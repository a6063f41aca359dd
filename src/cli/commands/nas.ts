import { loadConfig } from '../../config/env.js';
import { ValidationError } from '../../errors.js';
import { radiusAddressOf, SECRET_PLACEHOLDER, setupSnippets } from '../../vendors/snippets.js';
import type { NasSettings, NasSummary, Vendor } from '../../store/nas.js';
import { readStdin } from '../io.js';
import { fields, table } from '../output.js';
import { required, str, flag, type Command, type CommandInput } from '../command.js';

const COMMON = {
  secret: { type: 'string' },
  vendor: { type: 'string' },
  school: { type: 'string' },
  name: { type: 'string' },
  'nas-id': { type: 'string' },
  'coa-port': { type: 'string' },
  'message-authenticator': { type: 'boolean' },
  'reject-delay': { type: 'string' },
  'login-url': { type: 'string' },
} as const;

function coaPort(input: CommandInput): number | undefined {
  const value = str(input, 'coa-port');
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ValidationError('--coa-port must be a port number');
  return Number(value);
}

function commonSettings(input: CommandInput): NasSettings {
  const settings: NasSettings = {};
  const text = { secret: 'secret', vendor: 'vendor', school: 'school', name: 'name', nasId: 'nas-id', loginUrl: 'login-url' } as const;
  for (const [field, option] of Object.entries(text)) {
    const value = str(input, option);
    if (value !== undefined) (settings as Record<string, string>)[field] = value;
  }
  const delay = str(input, 'reject-delay');
  if (delay !== undefined) {
    if (!/^\d+(\.\d+)?s?$/.test(delay)) throw new ValidationError('--reject-delay takes seconds, e.g. 1 or 0.5s');
    settings.rejectDelayMs = Math.round(parseFloat(delay) * 1000);
  }
  const port = coaPort(input);
  if (port !== undefined) settings.coaPort = port;
  if (input.values['message-authenticator'] !== undefined) settings.requireMessageAuthenticator = flag(input, 'message-authenticator');
  return settings;
}

function describe(view: NasSummary): string {
  return fields([
    ['address', view.address],
    ['name', view.name],
    ['vendor', view.vendor],
    ['school', view.school],
    ['NAS-Identifier', view.nasId],
    ['CoA port', view.coaPort],
    ['Message-Authenticator required', view.requireMessageAuthenticator ? 'yes' : 'no (legacy NAS, BlastRADIUS exposure)'],
    ['Access-Reject delay', view.rejectDelayMs === undefined ? 'default (1s)' : `${view.rejectDelayMs / 1000}s`],
    ['UAM secret', view.hasUamSecret ? 'set' : undefined],
    ['portal login URL', view.loginUrl],
    ['controller', view.controllerUrl ? `${view.controllerUrl} as ${view.controllerUser ?? '?'}` : undefined],
  ]);
}

export const nasCommands: Command[] = [
  {
    name: 'nas add',
    usage: '<ip-or-cidr> [--secret <secret>] --vendor <mikrotik|chilli|opennds|cisco|aruba|meraki|unifi|fortinet|generic> [--school <id>] [--name <n>] [--nas-id <NAS-Identifier>] [--coa-port 3799] [--no-message-authenticator] [--reject-delay 1s] [--login-url <AP login URL>]',
    summary: 'Allow an access point or controller to use Mektep as its RADIUS server; without --secret one is generated and shown once.',
    options: COMMON,
    positionals: 1,
    async run({ services, principal }, input) {
      const vendor = required(input, 'vendor') as Vendor;
      const { nas, secret } = await services.nas.add(principal, input.positionals[0]!, { ...commonSettings(input), vendor });
      const shown = secret === undefined ? '' : `\nsecret: ${secret}  (generated, shown once: put it into the access point now)`;
      return { json: secret === undefined ? nas : { ...nas, secret }, text: `NAS ${nas.address} added\n${describe(nas)}${shown}` };
    },
  },
  {
    name: 'nas set',
    usage: '<ip-or-cidr> [the options of nas add] [--message-authenticator] [--uam-secret-stdin] [--controller-url <url> --controller-user <u> --controller-password-stdin]',
    summary: 'Change a NAS; secrets for CoovaChilli (uamsecret) and the UniFi controller are read from standard input.',
    options: {
      ...COMMON,
      'uam-secret-stdin': { type: 'boolean' },
      'controller-url': { type: 'string' },
      'controller-user': { type: 'string' },
      'controller-password-stdin': { type: 'boolean' },
    },
    positionals: 1,
    async run({ services, principal }, input) {
      if (flag(input, 'uam-secret-stdin') && flag(input, 'controller-password-stdin')) {
        throw new ValidationError('only one secret can come from standard input per command');
      }
      const settings = commonSettings(input);
      if (flag(input, 'uam-secret-stdin')) settings.uamSecret = await readStdin('UAM secret');
      if (str(input, 'controller-url') !== undefined) settings.controllerUrl = str(input, 'controller-url')!;
      if (str(input, 'controller-user') !== undefined) settings.controllerUser = str(input, 'controller-user')!;
      if (flag(input, 'controller-password-stdin')) settings.controllerPassword = await readStdin('controller password');
      const nas = await services.nas.set(principal, input.positionals[0]!, settings);
      return { json: nas, text: `NAS ${nas.address} changed\n${describe(nas)}` };
    },
  },
  {
    name: 'nas list',
    usage: '',
    summary: 'List NAS clients (secrets are never shown).',
    positionals: 0,
    async run({ services, principal }) {
      const list = await services.nas.list(principal);
      return {
        json: list,
        text: table(
          ['ADDRESS', 'NAME', 'VENDOR', 'SCHOOL', 'NAS-ID', 'COA', 'MSG-AUTH'],
          list.map((nas) => [nas.address, nas.name, nas.vendor, nas.school, nas.nasId, nas.coaPort, nas.requireMessageAuthenticator ? 'required' : 'optional']),
        ),
      };
    },
  },
  {
    name: 'nas remove',
    usage: '<ip-or-cidr>',
    summary: 'Remove a NAS client; its packets are dropped from then on.',
    positionals: 1,
    async run({ services, principal }, input) {
      const removed = await services.nas.remove(principal, input.positionals[0]!);
      return { json: { removed }, text: `NAS ${removed} removed` };
    },
  },
  {
    name: 'nas snippet',
    usage: '<ip> [--login-html] [--radius-address <ip>] [--show-secret]',
    summary: "Print the settings this access point needs for Mektep, for its vendor (RADIUS, CoA, walled garden; the secret as <secret> unless --show-secret) — the same text as the console's Access points page; for MikroTik, --login-html prints the login.html that sends new devices to the portal (PUBLIC_URL).",
    options: { 'login-html': { type: 'boolean' }, 'radius-address': { type: 'string' }, 'show-secret': { type: 'boolean' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const nas = await services.nas.get(principal, input.positionals[0]!);
      const config = loadConfig();
      // The secret reaches the terminal (and its scrollback, screenshots, tickets) only on request.
      const show = flag(input, 'show-secret');
      const snippets = setupSnippets(nas.vendor, {
        publicUrl: config.publicUrl,
        radiusAddress: str(input, 'radius-address') ?? radiusAddressOf(config.radius.host, config.publicUrl),
        authPort: config.radius.authPort,
        acctPort: config.radius.acctPort,
        secret: show ? nas.secret : SECRET_PLACEHOLDER,
        nas,
      });
      if (flag(input, 'login-html')) {
        const page = snippets.find((snippet) => snippet.kind === 'login-html');
        if (!page) throw new ValidationError(`NAS ${nas.address} is ${nas.vendor}; only MikroTik needs a login.html (see docs/vendors/${nas.vendor}.md)`);
        return { json: { loginHtml: page.text }, text: page.text.trimEnd() };
      }
      const hint = show ? '' : `# the RADIUS secret is shown as ${SECRET_PLACEHOLDER}: replace it, or run again with --show-secret\n`;
      const text = snippets.filter((snippet) => snippet.kind !== 'login-html').map((snippet) => `${snippet.file ? `# ${snippet.file}\n` : ''}${snippet.text.trimEnd()}`).join('\n\n');
      return { json: { vendor: nas.vendor, snippets }, text: `${hint}${text}` };
    },
  },
];
