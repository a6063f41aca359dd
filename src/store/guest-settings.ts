// A school's rules for guest requests (docs/guests.md, "Settings"), one hash per school; a value
// never set is the default. Validated here so the console, the API and the CLI refuse alike.
import type { Redis } from 'ioredis';
import { ValidationError } from '../errors.js';
import { keys } from './keys.js';
import { who, writeOne, type Actor } from './write.js';

export interface GuestSettings {
  /** How long a request waits for the teacher. */
  pendingMinutes: number;
  /** Whether the guest must give a phone number or an e-mail address. */
  contactRequired: boolean;
  /** Requests one device may make in an hour, and the whole school. */
  devicePerHour: number;
  schoolPerHour: number;
  /** How long a denied device waits before it may ask again. */
  deniedPauseMinutes: number;
  /** The longest approval a teacher may give. */
  maxApprovalHours: number;
  /** "HH:MM" in the school's time zone: the end of "until the end of the school day". */
  schoolDayEnd: string;
  /** Days a finished request (with the guest's name and contact) is kept, then deleted. */
  retentionDays: number;
}

export const GUEST_DEFAULTS: GuestSettings = {
  pendingMinutes: 30, contactRequired: false, devicePerHour: 3, schoolPerHour: 60,
  deniedPauseMinutes: 30, maxApprovalHours: 10, schoolDayEnd: '17:00', retentionDays: 30,
};

const LIMITS: Record<Exclude<keyof GuestSettings, 'contactRequired' | 'schoolDayEnd'>, [number, number]> = {
  pendingMinutes: [1, 24 * 60], devicePerHour: [1, 1000], schoolPerHour: [1, 100_000],
  deniedPauseMinutes: [0, 7 * 24 * 60], maxApprovalHours: [1, 24 * 14], retentionDays: [1, 3650],
};

export const GUEST_SETTING_NAMES = Object.keys(GUEST_DEFAULTS) as (keyof GuestSettings)[];

/** One setting as typed ("45", "yes", "16:30"), checked; throws a ValidationError naming the rule. */
export function parseGuestSetting(name: string, value: string): Partial<GuestSettings> {
  if (name === 'contactRequired') {
    if (!['yes', 'no', 'true', 'false', '1', '0'].includes(value)) throw new ValidationError('contactRequired is yes or no');
    return { contactRequired: ['yes', 'true', '1'].includes(value) };
  }
  if (name === 'schoolDayEnd') {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) throw new ValidationError('schoolDayEnd is a time written HH:MM (17:00)');
    return { schoolDayEnd: value };
  }
  const range = LIMITS[name as keyof typeof LIMITS];
  if (!range) throw new ValidationError(`no guest setting "${name}" (there are ${GUEST_SETTING_NAMES.join(', ')})`);
  const number = Number(value);
  if (!Number.isInteger(number) || number < range[0] || number > range[1]) throw new ValidationError(`${name} is a whole number from ${range[0]} to ${range[1]}`);
  return { [name]: number };
}

export function createGuestSettingsStore(redis: Redis) {
  return {
    async get(school: string): Promise<GuestSettings> {
      const stored = await redis.hgetall(keys.guestSettings(school));
      const settings = { ...GUEST_DEFAULTS };
      for (const [name, value] of Object.entries(stored)) {
        try {
          Object.assign(settings, parseGuestSetting(name, value));
        } catch {
          // A value an older release wrote and this one no longer takes: the default stands.
        }
      }
      return settings;
    },

    /** Audited with the school; the change feed announces the school. */
    async set(school: string, changes: Record<string, string>, actor: Actor): Promise<void> {
      const set = Object.fromEntries(Object.entries(changes).map(([name, value]) => [name, String(Object.values(parseGuestSetting(name, value.trim()))[0])]));
      if (Object.keys(set).length === 0) throw new ValidationError(`nothing to change: name at least one of ${GUEST_SETTING_NAMES.join(', ')}`);
      await writeOne(redis, {
        key: keys.guestSettings(school), mode: 'upsert', set,
        audit: { ...who(actor), action: 'school.guest-settings', target: school, school, detail: set },
        change: { entity: 'school', id: school },
      });
    },
  };
}

export type GuestSettingsStore = ReturnType<typeof createGuestSettingsStore>;
