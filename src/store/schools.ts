// Schools (sites): id, display name, time zone. Every NAS, user and policy override names one.
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { slug, text, timezone } from './validate.js';
import { who, writeAll, writeOne, type Actor, type WriteOp } from './write.js';

export interface School {
  id: string;
  name: string;
  timezone: string;
  /** Keep NT hashes of this school's passwords so MS-CHAPv2 works (a weaker hash: opt-in). */
  mschapv2: boolean;
  /** The portal's logo for this school: a data: URI of a small PNG or SVG. */
  logo?: string;
  /** The portal's accent colour for this school ("#0b4f8a"); white text on it stays readable. */
  colour?: string;
  /** The school's uplink capacity in bit/s, for the dashboard's traffic figures. */
  uplink?: number;
  /** The Wi-Fi network's name, printed on voucher sheets and in their QR code. */
  ssid?: string;
  /** How long a teacher's vouchers may last, in seconds (services/vouchers.ts has the default). */
  voucherMax?: number;
  createdAt: string;
}

export interface SchoolInput {
  id: string;
  name: string;
  timezone?: string;
  mschapv2?: boolean;
}

/** An empty logo or colour, or an uplink of 0, clears it. */
export type SchoolChanges = Partial<Pick<School, 'name' | 'timezone' | 'mschapv2' | 'logo' | 'colour' | 'uplink' | 'ssid' | 'voucherMax'>>;

/** The login page must fit in 14 KB with everything else. */
export const MAX_LOGO_BYTES = 4096;

export function logoDataUri(file: Buffer, name: string): string {
  const type = name.toLowerCase().endsWith('.svg') ? 'image/svg+xml' : name.toLowerCase().endsWith('.png') ? 'image/png' : undefined;
  if (!type) throw new ValidationError('the logo must be a .png or .svg file');
  if (file.length > MAX_LOGO_BYTES) throw new ValidationError(`the logo is ${file.length} bytes; at most ${MAX_LOGO_BYTES} keep the login page within one round trip`);
  return `data:${type};base64,${file.toString('base64')}`;
}

export const DEFAULT_TIMEZONE = 'Asia/Almaty';

/** WCAG 2 contrast of white text on a colour: buttons and headings on it must reach 4.5:1. */
export function contrastWithWhite(colour: string): number {
  const channels = [1, 3, 5].map((at) => Number.parseInt(colour.slice(at, at + 2), 16) / 255).map((c) => (c <= 0.039_28 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * channels[0]! + 0.7152 * channels[1]! + 0.0722 * channels[2]!;
  return 1.05 / (luminance + 0.05);
}

export function portalColour(value: string): string {
  const colour = value.trim().toLowerCase();
  if (!/^#[0-9a-f]{6}$/.test(colour)) throw new ValidationError(`the colour "${value}" must be written #rrggbb`);
  if (contrastWithWhite(colour) < 4.5) throw new ValidationError(`white text on ${colour} is hard to read (contrast ${contrastWithWhite(colour).toFixed(1)}:1, at least 4.5:1 needed): choose a darker colour`);
  return colour;
}

function fromHash(hash: Record<string, string>): School | undefined {
  if (!hash.id) return undefined;
  return {
    id: hash.id, name: hash.name ?? hash.id, timezone: hash.timezone ?? DEFAULT_TIMEZONE, mschapv2: hash.mschapv2 === '1', createdAt: hash.createdAt ?? '',
    ...(hash.logo ? { logo: hash.logo } : {}),
    ...(hash.colour ? { colour: hash.colour } : {}),
    ...(hash.uplink ? { uplink: Number(hash.uplink) } : {}),
    ...(hash.ssid ? { ssid: hash.ssid } : {}),
    ...(hash.voucherMax ? { voucherMax: Number(hash.voucherMax) } : {}),
  };
}

export function createSchoolStore(redis: Redis) {
  async function get(id: string): Promise<School | undefined> {
    return fromHash(await redis.hgetall(keys.school(id)));
  }

  return {
    get,

    async require(id: string): Promise<School> {
      const school = await get(id);
      if (!school) throw new NotFoundError(`school "${id}" does not exist`);
      return school;
    },

    async add(input: SchoolInput, actor: Actor): Promise<School> {
      const school: School = {
        id: slug(input.id, 'school id'),
        name: text(input.name, 'school name'),
        timezone: timezone(input.timezone ?? DEFAULT_TIMEZONE),
        mschapv2: input.mschapv2 ?? false,
        createdAt: new Date().toISOString(),
      };
      const failed = await writeOne(redis, {
        key: keys.school(school.id),
        mode: 'create',
        set: { id: school.id, name: school.name, timezone: school.timezone, mschapv2: school.mschapv2 ? '1' : '0', createdAt: school.createdAt },
        addTo: [[keys.schools, school.id]],
        audit: { ...who(actor), action: 'school.add', target: school.id, school: school.id, detail: { name: school.name, timezone: school.timezone } },
        change: { entity: 'school', id: school.id },
      });
      if (failed) throw new ConflictError(`school "${school.id}" already exists`);
      return school;
    },

    /** Turning MS-CHAPv2 off also deletes the NT hashes kept for the school's users. */
    async update(id: string, changes: SchoolChanges, actor: Actor, users: string[] = []): Promise<School> {
      const set: Record<string, string> = {};
      if (changes.name !== undefined) set.name = text(changes.name, 'school name');
      if (changes.timezone !== undefined) set.timezone = timezone(changes.timezone);
      if (changes.mschapv2 !== undefined) set.mschapv2 = changes.mschapv2 ? '1' : '0';
      const unset = [...(changes.logo === '' ? ['logo'] : []), ...(changes.colour === '' ? ['colour'] : []), ...(changes.uplink === 0 ? ['uplink'] : []), ...(changes.ssid === '' ? ['ssid'] : []), ...(changes.voucherMax === 0 ? ['voucherMax'] : [])];
      if (changes.logo) set.logo = changes.logo;
      if (changes.colour) set.colour = portalColour(changes.colour);
      if (changes.uplink) {
        if (!Number.isSafeInteger(changes.uplink) || changes.uplink < 0) throw new ValidationError('the uplink capacity must be a whole number of bit/s');
        set.uplink = String(changes.uplink);
      }
      // IEEE 802.11: an SSID is at most 32 octets.
      if (changes.ssid) set.ssid = text(changes.ssid, 'Wi-Fi network name', 32);
      if (changes.voucherMax) {
        if (!Number.isSafeInteger(changes.voucherMax) || changes.voucherMax < 60) throw new ValidationError("a teacher's voucher maximum must be at least a minute");
        set.voucherMax = String(changes.voucherMax);
      }
      if (Object.keys(set).length === 0 && unset.length === 0) throw new ValidationError('nothing to change: name at least one of the name, time zone, MS-CHAPv2, logo, colour or uplink');
      const failures = await writeAll(redis, [
        { key: keys.school(id), mode: 'update', set, unset, audit: { ...who(actor), action: 'school.set', target: id, school: id, detail: { ...set, ...(set.logo ? { logo: `${set.logo.length} characters` } : {}), ...(unset.length ? { cleared: unset } : {}) } }, change: { entity: 'school', id } },
        ...(changes.mschapv2 === false ? users.map((username): WriteOp => ({
          key: keys.user(username), mode: 'upsert', unset: ['ntHash'], audit: { ...who(actor), action: 'user.nthash-removed', target: username, school: id }, change: { entity: 'user', id: username },
        })) : []),
      ]);
      if (failures.length > 0) throw new NotFoundError(`school "${id}" does not exist`);
      return (await get(id))!;
    },

    async list(): Promise<School[]> {
      const ids = (await redis.smembers(keys.schools)).sort();
      const rows = await readHashes(redis, ids.map((id) => keys.school(id)));
      return rows.map(fromHash).filter((school): school is School => school !== undefined);
    },
  };
}

export type SchoolStore = ReturnType<typeof createSchoolStore>;
