// Registered and remembered devices (MAC authentication): region-wide principals manage all, a
// school admin its school's; another school's device is answered as not registered.
import { parseCsv } from '../store/csv.js';
import { DEVICE_COLUMNS, requireMac, type Device, type DeviceInput, type DeviceStore } from '../store/devices.js';
import { allow, auditActor, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export interface DeviceServiceDeps {
  devices: Pick<DeviceStore, 'get' | 'add' | 'list' | 'remove' | 'importCsv'>;
}

export interface DeviceImportReport {
  dryRun: boolean;
  imported: number;
  errors: { line: number; mac: string; error: string }[];
}

export function createDeviceService({ devices }: DeviceServiceDeps) {
  return {
    async list(principal: Principal, school?: string): Promise<Device[]> {
      allow(principal, MANAGERS, 'list devices');
      return devices.list(schoolFor(principal, school, 'list devices'));
    },

    async add(principal: Principal, input: DeviceInput): Promise<Device> {
      allow(principal, MANAGERS, 'register devices');
      const school = schoolFor(principal, input.school, 'register devices');
      return devices.add({ ...input, ...(school ? { school } : {}) }, auditActor(principal));
    },

    /** All rows or none; a school admin's file must name their school on every row. */
    async import(principal: Principal, csv: string, options: { dryRun: boolean }): Promise<DeviceImportReport> {
      allow(principal, MANAGERS, 'import devices');
      const own = schoolFor(principal, undefined, 'import devices');
      if (own !== undefined) {
        const errors = parseCsv(csv, DEVICE_COLUMNS, ['mac', 'role'])
          .filter(({ row }) => row.school !== own)
          .map(({ line, row }) => ({ line, mac: row.mac ?? '', error: `the school must be ${own}` }));
        if (errors.length > 0) return { dryRun: options.dryRun, imported: 0, errors };
      }
      return { dryRun: options.dryRun, ...(await devices.importCsv(csv, { dryRun: options.dryRun, actor: auditActor(principal) })) };
    },

    /** One registered device in scope (another school's is answered as not registered). */
    async get(principal: Principal, mac: string): Promise<Device> {
      allow(principal, MANAGERS, 'see devices');
      const normal = requireMac(mac);
      return requireInScope(principal, await devices.get(normal), `device ${normal} is not registered`);
    },

    /** Its next connection needs the portal again. */
    async forget(principal: Principal, mac: string): Promise<string> {
      allow(principal, MANAGERS, 'forget devices');
      const normal = requireMac(mac);
      const device = requireInScope(principal, await devices.get(normal), `device ${normal} is not registered`);
      return devices.remove(device.mac, auditOf(principal), device.school);
    },
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
