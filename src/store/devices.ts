// Devices allowed by MAC authentication: school-owned fleets registered by admins, and devices
// the portal remembers. Keyed by normalised MAC; an expired device is gone (Redis expires it).
// Each keeps who registered it: the portal never changes an admin's registration, nor shortens
// a remembered one.
import type { ClientContext, Redis, Result } from 'ioredis';
import { ConflictError, isCodedError, NotFoundError, ValidationError } from '../errors.js';
import { parseCsv } from './csv.js';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { isLocallyAdministered, parseMac } from './mac.js';
import { readHashes } from './read.js';
import { expiry, slug } from './validate.js';
import { normalizeUsername } from './users.js';
import { auditFields, defineScript, who, writeAll, type Actor, type WriteOp } from './write.js';

export interface Device {
  mac: string;
  role: string;
  school?: string;
  user?: string;
  until?: string;
  /** A randomised ("private") MAC: it may change, so the user is the unit, not the device. */
  randomized: boolean;
  /** An admin (console, CLI, import) or the portal ("remember this device"). */
  registeredBy: Registrar;
  createdAt: string;
}

/** A teacher's approval of a guest registers the device as 'guest', until the approval ends. */
export type Registrar = 'admin' | 'portal' | 'guest';

/** What became of a request to remember a device. */
export type Remembered = 'remembered' | 'kept-admin-registration' | 'kept-longer-registration';

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
  // Registrations from before the field existed are treated as an admin's: never overwritten.
  const registeredBy: Registrar = hash.registeredBy === 'portal' || hash.registeredBy === 'guest' ? hash.registeredBy : 'admin';
  const device: Device = { mac: hash.mac, role: hash.role, randomized: hash.randomized === '1', registeredBy, createdAt: hash.createdAt ?? '' };
  if (hash.school) device.school = hash.school;
  if (hash.user) device.user = hash.user;
  if (hash.until) device.until = hash.until;
  return device;
}

// KEYS: device, devices, audit[, devices of its school]. ARGV: until (ISO), expire-at (ms), the
// hash fields as JSON, the audit fields as JSON, audit length, change channel, change message.
// Refuses to touch an admin's registration or a remembered one that lasts longer.
const REMEMBER = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local by = redis.call('HGET', KEYS[1], 'registeredBy')
  if by ~= 'portal' and by ~= 'guest' then return 'kept-admin-registration' end
  local current = redis.call('HGET', KEYS[1], 'until')
  if not current or current > ARGV[1] then return 'kept-longer-registration' end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[3])))
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
local mac = redis.call('HGET', KEYS[1], 'mac')
redis.call('SADD', KEYS[2], mac)
if KEYS[4] then redis.call('SADD', KEYS[4], mac) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', unpack(cjson.decode(ARGV[4])))
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 'remembered'
`;

// KEYS: device, devices, audit[, devices of its school]. ARGV: mac, audit fields (JSON), audit
// length, change channel, change message. Redis has usually expired the device at the approval's
// end already: the indexes still let go of it, and the change feed tells every instance.
const FORGET_GUEST = `
local by = redis.call('HGET', KEYS[1], 'registeredBy')
if by and by ~= 'guest' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
if KEYS[4] then redis.call('SREM', KEYS[4], ARGV[1]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(cjson.decode(ARGV[2])))
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkRememberDevice(numKeys: number, ...args: string[]): Result<Remembered, Context>;
    mkForgetGuestDevice(numKeys: number, ...args: string[]): Result<number, Context>;
  }
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
    const device: Device = { mac, role, randomized: isLocallyAdministered(mac), registeredBy: 'admin', createdAt: new Date().toISOString() };
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
    const set: Record<string, string> = { mac: device.mac, role: device.role, randomized: device.randomized ? '1' : '0', registeredBy: device.registeredBy, createdAt: device.createdAt };
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

  /** The devices behind these MACs, in the same order (undefined where one is gone), in one pipeline. */
  async function getMany(macs: string[]): Promise<(Device | undefined)[]> {
    return (await readHashes(redis, macs.map((mac) => keys.device(mac)))).map((hash) => fromHash(hash));
  }

  return {
    prepare,

    async get(mac: string): Promise<Device | undefined> {
      return fromHash(await redis.hgetall(keys.device(mac)));
    },

    /** Registers a device as an admin. */
    async add(input: DeviceInput, actor: string): Promise<Device> {
      const device = await prepare(input);
      const [failed] = await writeAll(redis, [saveOp(device, actor, 'device.add', 'create')]);
      if (failed) throw new ConflictError(`device ${device.mac} is already registered (remove it first to change it)`);
      return device;
    },

    /** Remembers a device the portal signed in (its AP has confirmed the MAC), until a date:
     * never over an admin's registration or a remembered one that lasts longer. */
    async remember(input: DeviceInput & { until: string }, actor: string, source?: string, registeredBy: Exclude<Registrar, 'admin'> = 'portal'): Promise<Remembered> {
      defineScript(redis, 'mkRememberDevice', REMEMBER);
      const device: Device = { ...(await prepare(input)), registeredBy };
      const op = saveOp(device, actor, 'device.remember', 'upsert');
      const audit = auditFields({ ...op.audit, ...(source ? { source } : {}), ...(device.school ? { school: device.school } : {}) });
      const keyList = [keys.device(device.mac), keys.devices, keys.audit, ...(device.school ? [keys.devicesOfSchool(device.school)] : [])];
      return redis.mkRememberDevice(
        keyList.length, ...keyList,
        device.until!, String(Date.parse(device.until!)), JSON.stringify(Object.entries(op.set!).flat()), JSON.stringify(audit),
        String(AUDIT_MAX_ENTRIES), keys.changes, JSON.stringify([op.change]),
      );
    },

    /** Forgets a device a guest approval registered (an admin's or a portal registration stays); true when forgotten. */
    async forgetGuest(mac: string, actor: string, school?: string): Promise<boolean> {
      defineScript(redis, 'mkForgetGuestDevice', FORGET_GUEST);
      const audit = auditFields({ actor, action: 'device.forget-guest', target: mac, ...(school ? { school } : {}) });
      const keyList = [keys.device(mac), keys.devices, keys.audit, ...(school ? [keys.devicesOfSchool(school)] : [])];
      const forgotten = await redis.mkForgetGuestDevice(keyList.length, ...keyList, mac, JSON.stringify(audit), String(AUDIT_MAX_ENTRIES), keys.changes, JSON.stringify([{ entity: 'device', id: mac }]));
      return forgotten === 1;
    },

    /** `school`: the device's, so the entry shows in that school's audit log and its index lets go. */
    async remove(input: string, actor: Actor, school?: string): Promise<string> {
      const mac = requireMac(input);
      const [failed] = await writeAll(redis, [{
        key: keys.device(mac),
        mode: 'delete',
        removeFrom: [[keys.devices, mac], ...(school ? [[keys.devicesOfSchool(school), mac] as [string, string]] : [])],
        audit: { ...who(actor), action: 'device.remove', target: mac, ...(school ? { school } : {}) },
        change: { entity: 'device', id: mac },
      }]);
      if (failed) throw new NotFoundError(`device ${mac} is not registered`);
      return mac;
    },

    getMany,

    /**
     * One page of the device index (SSCAN from `cursor`, about `count` devices read in one
     * pipeline): a region's 400,000 devices in steps that keep every command and pipeline small.
     * SSCAN may return a device twice; cursor '0' after the last page.
     */
    async page(cursor: string, count: number): Promise<{ cursor: string; devices: Device[] }> {
      const [next, macs] = await redis.sscan(keys.devices, cursor, 'COUNT', count);
      return { cursor: next, devices: (await getMany(macs)).filter((device): device is Device => device !== undefined) };
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
