// Devices allowed by MAC authentication: school-owned fleets registered by admins, and devices
// the portal remembers. Keyed by normalised MAC; an expired device is gone (Redis expires it).
import type { Redis } from 'ioredis';
import { ConflictError, isCodedError, NotFoundError, ValidationError } from '../errors.js';
import { parseCsv } from './csv.js';
import { keys } from './keys.js';
import { isLocallyAdministered, parseMac } from './mac.js';
import { readHashes } from './read.js';
import { expiry, slug } from './validate.js';
import { normalizeUsername } from './users.js';
import { writeAll, type WriteOp } from './write.js';

export interface Device {
  mac: string;
  role: string;
  school?: string;
  user?: string;
  until?: string;
  /** A randomised ("private") MAC: it may change, so the user is the unit, not the device. */
  randomized: boolean;
  createdAt: string;
}

export interface DeviceInput {
  mac: string;
  role: string;
  school?: string;
  user?: string;
  until?: string;
}

export const DEVICE_COLUMNS = ['mac', 'role', 'school', 'user', 'until'] as const;

export function requireMac(input: string): string {
  const mac = parseMac(input);
  if (!mac) throw new ValidationError(`"${input}" is not a MAC address (e.g. aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff)`);
  return mac;
}

function fromHash(hash: Record<string, string>, now = Date.now()): Device | undefined {
  if (!hash.mac || !hash.role) return undefined;
  if (hash.until && Date.parse(hash.until) <= now) return undefined;
  const device: Device = { mac: hash.mac, role: hash.role, randomized: hash.randomized === '1', createdAt: hash.createdAt ?? '' };
  if (hash.school) device.school = hash.school;
  if (hash.user) device.user = hash.user;
  if (hash.until) device.until = hash.until;
  return device;
}

interface Checks {
  requireSchool(id: string): Promise<unknown>;
  requireRole(name: string): Promise<unknown>;
}

export function createDeviceStore(redis: Redis, checks: Checks) {
  async function prepare(input: DeviceInput, seen = new Set<string>()): Promise<Device> {
    const mac = requireMac(input.mac);
    const role = slug(input.role, 'role');
    const school = input.school ? slug(input.school, 'school id') : undefined;
    if (!seen.has(`role:${role}`)) await checks.requireRole(role);
    seen.add(`role:${role}`);
    if (school && !seen.has(`school:${school}`)) await checks.requireSchool(school);
    if (school) seen.add(`school:${school}`);
    const device: Device = { mac, role, randomized: isLocallyAdministered(mac), createdAt: new Date().toISOString() };
    if (school) device.school = school;
    if (input.user) device.user = normalizeUsername(input.user);
    if (input.until) {
      const until = expiry(input.until);
      if (until <= Date.now()) throw new ValidationError(`the date ${input.until} has already passed`);
      device.until = new Date(until).toISOString();
    }
    return device;
  }

  function saveOp(device: Device, actor: string, action: string, mode: WriteOp['mode']): WriteOp {
    const set: Record<string, string> = { mac: device.mac, role: device.role, randomized: device.randomized ? '1' : '0', createdAt: device.createdAt };
    for (const field of ['school', 'user', 'until'] as const) if (device[field]) set[field] = device[field];
    return {
      key: keys.device(device.mac),
      mode,
      set,
      unset: (['school', 'user', 'until'] as const).filter((field) => !device[field]),
      addTo: [[keys.devices, device.mac], ...(device.school ? [[keys.devicesOfSchool(device.school), device.mac] as [string, string]] : [])],
      ...(device.until ? { expireAt: Date.parse(device.until) } : {}),
      audit: { actor, action, target: device.mac, detail: { role: device.role, school: device.school, user: device.user, until: device.until } },
      change: { entity: 'device', id: device.mac },
    };
  }

  return {
    prepare,

    async get(mac: string): Promise<Device | undefined> {
      return fromHash(await redis.hgetall(keys.device(mac)));
    },

    /** Registers a device; `replace` re-registers one that exists (the portal remembering it again). */
    async add(input: DeviceInput, actor: string, replace = false): Promise<Device> {
      const device = await prepare(input);
      const [failed] = await writeAll(redis, [saveOp(device, actor, 'device.add', replace ? 'upsert' : 'create')]);
      if (failed) throw new ConflictError(`device ${device.mac} is already registered (remove it first to change it)`);
      return device;
    },

    async remove(input: string, actor: string): Promise<string> {
      const mac = requireMac(input);
      const [failed] = await writeAll(redis, [{
        key: keys.device(mac),
        mode: 'delete',
        removeFrom: [[keys.devices, mac]],
        audit: { actor, action: 'device.remove', target: mac },
        change: { entity: 'device', id: mac },
      }]);
      if (failed) throw new NotFoundError(`device ${mac} is not registered`);
      return mac;
    },

    async list(school?: string): Promise<Device[]> {
      const macs = (await redis.smembers(school ? keys.devicesOfSchool(school) : keys.devices)).sort();
      const rows = await readHashes(redis, macs.map((mac) => keys.device(mac)));
      return rows.map((hash) => fromHash(hash)).filter((device): device is Device => device !== undefined && (!school || device.school === school));
    },

    /** CSV `mac,role,school[,user,until]`: all rows or none; returns the errors by line. */
    async importCsv(csv: string, options: { dryRun: boolean; actor: string }): Promise<{ imported: number; errors: { line: number; mac: string; error: string }[] }> {
      const errors: { line: number; mac: string; error: string }[] = [];
      const ready: { line: number; device: Device }[] = [];
      const seenMacs = new Map<string, number>();
      const cache = new Set<string>();
      for (const { line, row } of parseCsv(csv, DEVICE_COLUMNS, ['mac', 'role'])) {
        try {
          const device = await prepare({ mac: row.mac ?? '', role: row.role ?? '', ...(row.school ? { school: row.school } : {}), ...(row.user ? { user: row.user } : {}), ...(row.until ? { until: row.until } : {}) }, cache);
          const earlier = seenMacs.get(device.mac);
          if (earlier !== undefined) throw new ValidationError(`MAC ${device.mac} is also on line ${earlier}`);
          seenMacs.set(device.mac, line);
          ready.push({ line, device });
        } catch (error) {
          if (!isCodedError(error)) throw error;
          errors.push({ line, mac: row.mac ?? '', error: error.message });
        }
      }
      if (errors.length > 0 || options.dryRun) return { imported: errors.length > 0 ? 0 : ready.length, errors };
      // A re-import refreshes the fleet: existing registrations are replaced, not refused.
      await writeAll(redis, ready.map(({ device }) => saveOp(device, options.actor, 'device.import', 'upsert')));
      return { imported: ready.length, errors };
    },
  };
}

export type DeviceStore = ReturnType<typeof createDeviceStore>;
