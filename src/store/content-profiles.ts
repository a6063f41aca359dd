// Content profiles: a region-wide profile per name and optional per-school overrides, each a
// hash of field → JSON value, like role policies. "safe" and "malware-only" exist without
// being stored (their built-in fields are the base a stored profile of that name changes).
import type { Redis } from 'ioredis';
import { NotFoundError, ValidationError } from '../errors.js';
import {
  BUILT_IN_PROFILES, CONTENT_PROFILE_FIELDS, EMPTY_PROFILE, isBuiltInProfile, mergeProfile, validateProfile,
  type ContentProfile, type ContentProfileField,
} from '../policy/content.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { slug } from './validate.js';
import { writeOne } from './write.js';

export interface ContentProfileView {
  name: string;
  school?: string;
  /** Built-in or stored region-wide or overridden for the school. */
  exists: boolean;
  builtIn: boolean;
  effective: ContentProfile;
  /** The fields the school's override sets (empty without a school). */
  overridden: ContentProfileField[];
}

function decode(hash: Record<string, string>): Partial<ContentProfile> {
  // Written only by set() below, after validation.
  return Object.fromEntries(CONTENT_PROFILE_FIELDS.filter((field) => hash[field] !== undefined).map((field) => [field, JSON.parse(hash[field]!) as unknown]));
}

const idOf = (name: string, school?: string) => (school ? `${name}@${school}` : name);

export function createContentProfileStore(redis: Redis, requireSchool: (id: string) => Promise<unknown>) {
  async function view(name: string, school?: string): Promise<ContentProfileView> {
    const [global = {}, override = {}] = await readHashes(redis, [keys.contentProfile(name), ...(school ? [keys.contentProfile(name, school)] : [])]);
    const builtIn = isBuiltInProfile(name);
    const own = decode(override);
    const effective = mergeProfile(builtIn ? BUILT_IN_PROFILES[name] : EMPTY_PROFILE, decode(global), own);
    const exists = builtIn || Object.keys(global).length > 0 || Object.keys(override).length > 0;
    return { name, ...(school ? { school } : {}), exists, builtIn, effective, overridden: Object.keys(own).sort() as ContentProfileField[] };
  }

  return {
    view,

    /** Every stored profile and override, as "name" or "name@school", with the built-ins. */
    async list(): Promise<string[]> {
      const stored = await redis.smembers(keys.contentProfiles);
      return [...new Set([...Object.keys(BUILT_IN_PROFILES), ...stored])].sort();
    },

    /** Sets the named fields (merging with what is there). */
    async set(input: string, school: string | undefined, fields: Partial<Record<ContentProfileField, unknown>>, actor: string): Promise<ContentProfileView> {
      const name = slug(input, 'content profile name');
      if (school) await requireSchool(school);
      const valid = validateProfile(fields);
      if (Object.keys(valid).length === 0) throw new ValidationError('nothing to change: name at least one content profile field');
      await writeOne(redis, {
        key: keys.contentProfile(name, school),
        mode: 'upsert',
        set: Object.fromEntries(Object.entries(valid).map(([field, value]) => [field, JSON.stringify(value)])),
        addTo: [[keys.contentProfiles, idOf(name, school)]],
        audit: { actor, action: 'content.profile.set', target: idOf(name, school), school, detail: { set: valid } },
        change: { entity: 'content-profile', id: idOf(name, school) },
      });
      return view(name, school);
    },

    /** Removes a stored profile or a school's override (a built-in goes back to its defaults). */
    async remove(name: string, school: string | undefined, actor: string): Promise<void> {
      const failure = await writeOne(redis, {
        key: keys.contentProfile(name, school),
        mode: 'delete',
        removeFrom: [[keys.contentProfiles, idOf(name, school)]],
        audit: { actor, action: 'content.profile.remove', target: idOf(name, school), school },
        change: { entity: 'content-profile', id: idOf(name, school) },
      });
      if (failure) throw new NotFoundError(`content profile "${idOf(name, school)}" is not stored`);
    },
  };
}

export type ContentProfileStore = ReturnType<typeof createContentProfileStore>;
