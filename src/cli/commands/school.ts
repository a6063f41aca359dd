import { readFile } from 'node:fs/promises';
import { parseDuration } from '../../policy/units.js';
import { ValidationError } from '../../errors.js';
import { GUEST_SETTING_NAMES } from '../../store/guest-settings.js';
import { logoDataUri } from '../../store/schools.js';
import { table } from '../output.js';
import { flag, required, str, UsageError, type Command } from '../command.js';

export const schoolCommands: Command[] = [
  {
    name: 'school add',
    usage: '<id> --name <name> [--timezone Asia/Almaty] [--mschapv2]',
    summary: 'Add a school (site); its time zone decides schedules and daily quotas. --mschapv2 keeps NT hashes for MS-CHAPv2.',
    options: { name: { type: 'string' }, timezone: { type: 'string' }, mschapv2: { type: 'boolean' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const school = await services.schools.add(principal, {
        id: input.positionals[0]!,
        name: required(input, 'name'),
        mschapv2: flag(input, 'mschapv2'),
        ...(str(input, 'timezone') ? { timezone: str(input, 'timezone')! } : {}),
      });
      return { json: school, text: `school ${school.id} added (${school.name}, ${school.timezone})` };
    },
  },
  {
    name: 'school set',
    usage: '<id> [--name <name>] [--timezone <tz>] [--mschapv2 | --no-mschapv2] [--logo <file.png|svg> | --clear-logo] [--ssid <Wi-Fi name>] [--voucher-max <8h>]',
    summary: "Change a school. Turning MS-CHAPv2 on takes effect for each user at their next password change; turning it off deletes the NT hashes.",
    options: { name: { type: 'string' }, timezone: { type: 'string' }, mschapv2: { type: 'boolean' }, logo: { type: 'string' }, 'clear-logo': { type: 'boolean' }, ssid: { type: 'string' }, 'voucher-max': { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const logoFile = str(input, 'logo');
      const logo = logoFile === undefined ? undefined : logoDataUri(await readFile(logoFile).catch(() => {
        throw new ValidationError(`cannot read ${logoFile}`);
      }), logoFile);
      const changes = {
        ...(str(input, 'name') !== undefined ? { name: str(input, 'name')! } : {}),
        ...(str(input, 'timezone') !== undefined ? { timezone: str(input, 'timezone')! } : {}),
        ...(input.values.mschapv2 !== undefined ? { mschapv2: flag(input, 'mschapv2') } : {}),
        ...(logo ? { logo } : flag(input, 'clear-logo') ? { logo: '' } : {}),
        // The Wi-Fi name on voucher sheets; "" clears it.
        ...(str(input, 'ssid') !== undefined ? { ssid: str(input, 'ssid')! } : {}),
        ...(str(input, 'voucher-max') !== undefined ? { voucherMax: parseDuration(str(input, 'voucher-max')!) } : {}),
      };
      if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --name, --timezone, --[no-]mschapv2, --logo or --clear-logo');
      const { school, users } = await services.schools.set(principal, input.positionals[0]!, changes);
      const note = changes.mschapv2 === true ? `\nMS-CHAPv2 works for each of the ${users} user(s) after their next password change (mektep user passwd).` : '';
      return { json: school, text: `school ${school.id} changed${note}` };
    },
  },
  {
    name: 'school guests',
    usage: '<id> [setting=value ...]',
    summary: `Show or change a school's rules for guest requests (docs/guests.md): ${GUEST_SETTING_NAMES.join(', ')}.`,
    positionals: [1, GUEST_SETTING_NAMES.length + 1],
    async run({ services, principal }, input) {
      const [id, ...pairs] = input.positionals as [string, ...string[]];
      const changes = Object.fromEntries(pairs.map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new UsageError(`"${pair}" is not setting=value`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }));
      const settings = pairs.length > 0 ? await services.guests.configure(principal, id, changes) : await services.guests.settings(principal, id);
      return { json: settings, text: table(['SETTING', 'VALUE'], Object.entries(settings).map(([name, value]) => [name, String(value)])) };
    },
  },
  {
    name: 'school list',
    usage: '',
    summary: 'List schools.',
    positionals: 0,
    async run({ services, principal }) {
      const schools = await services.schools.list(principal);
      return { json: schools, text: table(['ID', 'NAME', 'TIMEZONE', 'MS-CHAPV2'], schools.map((school) => [school.id, school.name, school.timezone, school.mschapv2 ? 'on' : ''])) };
    },
  },
];
