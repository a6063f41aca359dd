// Schools (sites): id, display name, time zone. Every NAS, user and policy override names one.
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError } from '../errors.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { slug, text, timezone } from './validate.js';
import { writeOne } from './write.js';

export interface School {
  id: string;
  name: string;
  timezone: string;
  createdAt: string;
}

export interface SchoolInput {
  id: string;
  name: string;
  timezone?: string;
}

export const DEFAULT_TIMEZONE = 'Asia/Almaty';

function fromHash(hash: Record<string, string>): School | undefined {
  if (!hash.id) return undefined;
  return { id: hash.id, name: hash.name ?? hash.id, timezone: hash.timezone ?? DEFAULT_TIMEZONE, createdAt: hash.createdAt ?? '' };
}

export function createSchoolStore(redis: Redis) {
  async function get(id: string): Promise<School | undefined> {
    return fromHash(await redis.hgetall(keys.school(id)));
  }

  return {
    get,

    async require(id: string): Promise<School> {
      const school = await get(id);
      if (!school) throw new NotFoundError(`school "${id}" does not exist (add it with: mektep school add ${id} --name ...)`);
      return school;
    },

    async add(input: SchoolInput, actor: string): Promise<School> {
      const school: School = {
        id: slug(input.id, 'school id'),
        name: text(input.name, 'school name'),
        timezone: timezone(input.timezone ?? DEFAULT_TIMEZONE),
        createdAt: new Date().toISOString(),
      };
      const failed = await writeOne(redis, {
        key: keys.school(school.id),
        mode: 'create',
        set: { ...school },
        addTo: [[keys.schools, school.id]],
        audit: { actor, action: 'school.add', target: school.id, detail: { name: school.name, timezone: school.timezone } },
        change: { entity: 'school', id: school.id },
      });
      if (failed) throw new ConflictError(`school "${school.id}" already exists`);
      return school;
    },

    async list(): Promise<School[]> {
      const ids = (await redis.smembers(keys.schools)).sort();
      const rows = await readHashes(redis, ids.map((id) => keys.school(id)));
      return rows.map(fromHash).filter((school): school is School => school !== undefined);
    },
  };
}

export type SchoolStore = ReturnType<typeof createSchoolStore>;
