// Named groups of students per school ("7B", "robotics club"), so a teacher can start lesson
// focus for a class by name. One hash per group (members as JSON, at most MAX_GROUP_MEMBERS)
// and a set of a school's group names.
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { dropListMember, scanKeys } from './forget-steps.js';
import { keys } from './keys.js';
import { slug } from './validate.js';
import { writeOne, type Actor, type Change, who } from './write.js';

export const MAX_GROUP_MEMBERS = 500;

export interface Group {
  school: string;
  name: string;
  members: string[];
}

export function createGroupStore(redis: Redis, requireSchool: (id: string) => Promise<unknown>) {
  async function get(school: string, name: string): Promise<Group | undefined> {
    const members = await redis.hget(keys.group(school, name), 'members');
    return members === null ? undefined : { school, name, members: JSON.parse(members) as string[] };
  }

  async function save(mode: 'create' | 'update' | 'upsert', school: string, name: string, members: string[], actor: Actor): Promise<Group> {
    const unique = [...new Set(members.map((member) => member.trim()).filter(Boolean))].sort();
    if (unique.length > MAX_GROUP_MEMBERS) throw new ValidationError(`a group holds at most ${MAX_GROUP_MEMBERS} members (got ${unique.length})`);
    const id = slug(name, 'group name');
    await requireSchool(school);
    const failure = await writeOne(redis, {
      key: keys.group(school, id),
      mode,
      set: { members: JSON.stringify(unique) },
      addTo: [[keys.groupsOfSchool(school), id]],
      audit: { ...who(actor), action: `group.${mode === 'create' ? 'add' : 'set'}`, target: id, school, detail: { members: unique.length } },
      change: { entity: 'group', id: `${school}/${id}` },
    });
    if (failure === 'exists') throw new ConflictError(`group "${id}" already exists at ${school}`);
    if (failure === 'missing') throw new NotFoundError(`group "${id}" does not exist at ${school}`);
    return { school, name: id, members: unique };
  }

  return {
    get,
    add: (school: string, name: string, members: string[], actor: Actor) => save('create', school, name, members, actor),
    set: (school: string, name: string, members: string[], actor: Actor) => save('update', school, name, members, actor),

    async list(school: string): Promise<Group[]> {
      const names = (await redis.smembers(keys.groupsOfSchool(school))).sort();
      const groups = await Promise.all(names.map((name) => get(school, name)));
      return groups.filter((group): group is Group => group !== undefined);
    },

    async remove(school: string, name: string, actor: Actor): Promise<void> {
      const failure = await writeOne(redis, {
        key: keys.group(school, name),
        mode: 'delete',
        removeFrom: [[keys.groupsOfSchool(school), name]],
        audit: { ...who(actor), action: 'group.remove', target: name, school },
        change: { entity: 'group', id: `${school}/${name}` },
      });
      if (failure) throw new NotFoundError(`group "${name}" does not exist at ${school}`);
    },
  };
}

export type GroupStore = ReturnType<typeof createGroupStore>;

/** `user forget`: the person taken out of every group of every school; the changes to announce. */
export async function forgetGroupMember(redis: Redis, username: string): Promise<Change[]> {
  const changes: Change[] = [];
  for await (const found of scanKeys(redis, keys.group('*', '*'), 'hash')) {
    for (const key of await dropListMember(redis, found, 'members', username)) {
      const [school, name] = key.split(':').slice(2).map(decodeURIComponent);
      changes.push({ entity: 'group', id: `${school}/${name}` });
    }
  }
  return changes;
}
