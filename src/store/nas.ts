// NAS clients: the access points and controllers allowed to talk RADIUS to Mektep, keyed by
// source IP or CIDR block.
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { parseNasAddress } from './address.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { httpUrl, port, slug, text } from './validate.js';
import { who, writeOne, type Actor } from './write.js';

export const VENDORS = ['mikrotik', 'chilli', 'opennds', 'cisco', 'aruba', 'meraki', 'unifi', 'fortinet', 'generic'] as const;
export type Vendor = (typeof VENDORS)[number];

export interface NasClient {
  address: string;
  secret: string;
  vendor: Vendor;
  school?: string;
  name?: string;
  nasId?: string;
  coaPort: number;
  requireMessageAuthenticator: boolean;
  /** How long an Access-Reject waits (ms); unset: the default of about a second. */
  rejectDelayMs?: number;
  uamSecret?: string;
  /** Where the portal may send browsers to be let in (the AP's login URL, or a prefix of it),
   * when that is not on the NAS's own address. */
  loginUrl?: string;
  controllerUrl?: string;
  controllerUser?: string;
  controllerPassword?: string;
  createdAt: string;
}

/** What may be shown or printed: the secrets only as "set or not". */
export type NasSummary = Omit<NasClient, 'secret' | 'uamSecret' | 'controllerPassword'> & {
  hasUamSecret: boolean;
  hasControllerPassword: boolean;
};

export type NasSettings = Partial<Omit<NasClient, 'address' | 'createdAt'>>;

const OPTIONAL_TEXT = ['school', 'name', 'nasId', 'uamSecret', 'loginUrl', 'controllerUrl', 'controllerUser', 'controllerPassword'] as const;

function validSecret(secret: string, what: string): string {
  // RFC 2865 §3: the secret should be at least 16 octets; shorter ones are common on old APs,
  // but an empty or tiny one is a mistake.
  if (Buffer.byteLength(secret) < 6 || Buffer.byteLength(secret) > 128 || /[\s]/.test(secret)) {
    throw new ValidationError(`${what} must be 6-128 bytes without spaces (16 or more recommended)`);
  }
  return secret;
}

function validVendor(vendor: string): Vendor {
  if (!(VENDORS as readonly string[]).includes(vendor)) throw new ValidationError(`vendor "${vendor}" is not one of ${VENDORS.join(', ')}`);
  return vendor as Vendor;
}

function checkSettings(settings: NasSettings): NasSettings {
  const out: NasSettings = { ...settings };
  if (settings.secret !== undefined) out.secret = validSecret(settings.secret, 'the shared secret');
  if (settings.vendor !== undefined) out.vendor = validVendor(settings.vendor);
  if (settings.school !== undefined) out.school = slug(settings.school, 'school id');
  if (settings.name !== undefined) out.name = text(settings.name, 'the NAS name');
  if (settings.nasId !== undefined) out.nasId = text(settings.nasId, 'NAS-Identifier', 253);
  if (settings.coaPort !== undefined) out.coaPort = port(settings.coaPort, 'the CoA port');
  if (settings.rejectDelayMs !== undefined && (!Number.isInteger(settings.rejectDelayMs) || settings.rejectDelayMs < 0 || settings.rejectDelayMs > 5000)) {
    throw new ValidationError('the reject delay must be from 0 to 5 seconds');
  }
  if (settings.uamSecret !== undefined) out.uamSecret = validSecret(settings.uamSecret, 'the UAM secret');
  if (settings.loginUrl !== undefined) out.loginUrl = new URL(httpUrl(settings.loginUrl, 'the login URL')).href;
  if (settings.controllerUrl !== undefined) out.controllerUrl = httpUrl(settings.controllerUrl, 'the controller URL');
  if (settings.controllerUser !== undefined) out.controllerUser = text(settings.controllerUser, 'the controller user');
  if (settings.controllerPassword !== undefined && settings.controllerPassword.length === 0) throw new ValidationError('the controller password is empty');
  return out;
}

function toHash(settings: NasSettings): Record<string, string> {
  const hash: Record<string, string> = {};
  for (const [field, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    hash[field] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return hash;
}

/** Whether a release target is under a NAS's configured login URL: same origin, and a path
 * that starts with the configured one. */
export function loginUrlCovers(configured: string, target: URL): boolean {
  const base = new URL(configured);
  return base.origin === target.origin && target.pathname.startsWith(base.pathname);
}

export function nasFromHash(hash: Record<string, string>): NasClient | undefined {
  if (!hash.address || !hash.secret) return undefined;
  const nas: NasClient = {
    address: hash.address,
    secret: hash.secret,
    vendor: (hash.vendor ?? 'generic') as Vendor,
    coaPort: Number(hash.coaPort ?? 3799),
    requireMessageAuthenticator: hash.requireMessageAuthenticator !== '0',
    createdAt: hash.createdAt ?? '',
  };
  for (const field of OPTIONAL_TEXT) if (hash[field]) nas[field] = hash[field];
  if (hash.rejectDelayMs !== undefined) nas.rejectDelayMs = Number(hash.rejectDelayMs);
  return nas;
}

export function summarize(nas: NasClient): NasSummary {
  const { secret, uamSecret, controllerPassword, ...rest } = nas;
  return { ...rest, hasUamSecret: uamSecret !== undefined, hasControllerPassword: controllerPassword !== undefined };
}

export function createNasStore(redis: Redis, requireSchool: (id: string) => Promise<unknown>) {
  async function get(address: string): Promise<NasClient | undefined> {
    return nasFromHash(await redis.hgetall(keys.nas(parseNasAddress(address).text)));
  }

  return {
    get,

    async add(address: string, settings: NasSettings & Pick<NasClient, 'secret' | 'vendor'>, actor: Actor): Promise<NasClient> {
      const canonical = parseNasAddress(address).text;
      const checked = checkSettings({ coaPort: 3799, requireMessageAuthenticator: true, ...settings });
      if (checked.school) await requireSchool(checked.school);
      const failed = await writeOne(redis, {
        key: keys.nas(canonical),
        mode: 'create',
        set: toHash({ ...checked, address: canonical, createdAt: new Date().toISOString() } as NasSettings),
        addTo: [[keys.nasAll, canonical]],
        audit: { ...who(actor), action: 'nas.add', target: canonical, school: checked.school, detail: { vendor: checked.vendor, school: checked.school } },
        change: { entity: 'nas', id: canonical },
      });
      if (failed) throw new ConflictError(`NAS ${canonical} already exists; change its settings instead`);
      return (await get(canonical))!;
    },

    async update(address: string, settings: NasSettings, actor: Actor): Promise<NasClient> {
      const canonical = parseNasAddress(address).text;
      // The audit entry belongs to the NAS's school (the new one, when it moves).
      const before = await get(canonical);
      const checked = checkSettings(settings);
      if (Object.keys(toHash(checked)).length === 0) throw new ValidationError('nothing to change: name at least one setting');
      if (checked.school) await requireSchool(checked.school);
      const failed = await writeOne(redis, {
        key: keys.nas(canonical),
        mode: 'update',
        set: toHash(checked),
        audit: { ...who(actor), action: 'nas.set', target: canonical, school: checked.school ?? before?.school, detail: { fields: Object.keys(toHash(checked)).sort() } },
        change: { entity: 'nas', id: canonical },
      });
      if (failed) throw new NotFoundError(`NAS ${canonical} does not exist`);
      return (await get(canonical))!;
    },

    async remove(address: string, actor: Actor): Promise<void> {
      const canonical = parseNasAddress(address).text;
      const before = await get(canonical);
      const failed = await writeOne(redis, {
        key: keys.nas(canonical),
        mode: 'delete',
        removeFrom: [[keys.nasAll, canonical]],
        audit: { ...who(actor), action: 'nas.remove', target: canonical, school: before?.school },
        change: { entity: 'nas', id: canonical },
      });
      if (failed) throw new NotFoundError(`NAS ${canonical} does not exist`);
    },

    async list(): Promise<NasClient[]> {
      const addresses = (await redis.smembers(keys.nasAll)).sort();
      const rows = await readHashes(redis, addresses.map((address) => keys.nas(address)));
      return rows.map(nasFromHash).filter((nas): nas is NasClient => nas !== undefined);
    },
  };
}

export type NasStore = ReturnType<typeof createNasStore>;
