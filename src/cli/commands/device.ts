import type { Device } from '../../store/devices.js';
import { readCsvFile } from '../io.js';
import { table } from '../output.js';
import { flag, required, str, type Command } from '../command.js';

function deviceTable(devices: Device[]): string {
  return table(
    ['MAC', 'ROLE', 'SCHOOL', 'USER', 'UNTIL', 'PRIVATE'],
    devices.map((device) => [device.mac, device.role, device.school, device.user, device.until?.slice(0, 10), device.randomized ? 'yes' : '']),
  );
}

export const deviceCommands: Command[] = [
  {
    name: 'device add',
    usage: '<mac> --role <role> [--school <id>] [--user <u>] [--until YYYY-MM-DD]',
    summary: 'Register a device that MAC authentication lets in (school tablets, printers, remembered devices).',
    options: { role: { type: 'string' }, school: { type: 'string' }, user: { type: 'string' }, until: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const optional = Object.fromEntries((['school', 'user', 'until'] as const).flatMap((name) => (str(input, name) === undefined ? [] : [[name, str(input, name)!]])));
      const device = await services.devices.add(principal, { mac: input.positionals[0]!, role: required(input, 'role'), ...optional });
      const note = device.randomized ? '\nnote: this is a randomised ("private") MAC; the device may change it, and then it must be registered again' : '';
      return { json: device, text: `device ${device.mac} registered (${device.role})${note}` };
    },
  },
  {
    name: 'device import',
    usage: '<file.csv> [--dry-run] [--encoding utf-8|windows-1251]',
    summary: 'Register a fleet from CSV (header mac,role,school and optionally user,until; comma or semicolon); all rows or none; re-importing refreshes.',
    options: { 'dry-run': { type: 'boolean' }, encoding: { type: 'string' } },
    positionals: 1,
    async run({ services, principal }, input) {
      const csv = await readCsvFile(input.positionals[0]!, str(input, 'encoding'));
      const json = await services.devices.import(principal, csv, { dryRun: flag(input, 'dry-run') });
      const report = json;
      if (report.errors.length > 0) {
        return {
          json,
          text: `${report.errors.length} line(s) have errors; nothing was imported:\n${table(['LINE', 'MAC', 'ERROR'], report.errors.map((e) => [e.line, e.mac, e.error]))}`,
          exitCode: 1,
        };
      }
      return { json, text: flag(input, 'dry-run') ? `dry run: ${report.imported} device(s) would be registered` : `${report.imported} device(s) registered` };
    },
  },
  {
    name: 'device list',
    usage: '[--school <id>]',
    summary: 'List registered devices.',
    options: { school: { type: 'string' } },
    positionals: 0,
    async run({ services, principal }, input) {
      const devices = await services.devices.list(principal, str(input, 'school'));
      return { json: devices, text: deviceTable(devices) };
    },
  },
  {
    name: 'device remove',
    usage: '<mac>',
    summary: 'Forget a device; its next connection needs the portal again.',
    positionals: 1,
    async run({ services, principal }, input) {
      const mac = await services.devices.forget(principal, input.positionals[0]!);
      return { json: { removed: mac }, text: `device ${mac} removed` };
    },
  },
];
