// Lesson focus (docs/content.md): for a while, the devices on some access points or of some
// students resolve only an allow-list. One hash per focus and a set of the running ones, written
// through the one write path, so every resolver hears of a start or a stop on the change feed.
// The end is claimed by deleting the hash with a "must exist" precondition: of several
// instances sweeping at once, exactly one writes the `focus.expire` audit entry.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dropListMember, scanKeys } from './forget-steps.js';
import { keys } from './keys.js';
import { writeOne, type Actor, type Change, who } from './write.js';

export interface Focus {
  id: string;
  school: string;
  /** The lesson's name, shown on the block page. */
  name: string;
  /** NAS addresses whose devices are in focus. */
  nas: string[];
  /** Usernames in focus (a group's members as they were at the start). */
  users: string[];
  group?: string;
  /** Domains (and their subdomains) that still resolve. */
  allow: string[];
  startedBy: string;
  startedAt: number;
  /** Epoch ms at which it ends by itself. */
  until: number;
}

export type FocusEnd = 'stop' | 'expire';

/** Kept a while past its end, so a sweep that was down can still claim and log the expiry. */
const KEEP_AFTER_END_MS = 3600_000;

function parse(id: string, hash: Record<string, string>): Focus | undefined {
  if (!hash.school || !hash.until) return undefined;
  return {
    id,
    school: hash.school,
    name: hash.name ?? '',
    nas: JSON.parse(hash.nas ?? '[]') as string[],
    users: JSON.parse(hash.users ?? '[]') as string[],
    ...(hash.group ? { group: hash.group } : {}),
    allow: JSON.parse(hash.allow ?? '[]') as string[],
    startedBy: hash.startedBy ?? '',
    startedAt: Number(hash.startedAt),
    until: Number(hash.until),
  };
}

export function createFocusStore(redis: Redis) {
  async function get(id: string): Promise<Focus | undefined> {
    return parse(id, await redis.hgetall(keys.focus(id)));
  }

  return {
    get,

    /** Every focus still stored (ended ones until they are claimed), oldest first. */
    async list(): Promise<Focus[]> {
      const ids = await redis.smembers(keys.focuses);
      const found = await Promise.all(ids.map(get));
      // Members whose hash Redis already let go of are dropped, so the set cannot grow.
      const gone = ids.filter((_, index) => !found[index]);
      if (gone.length > 0) await redis.srem(keys.focuses, ...gone);
      return found.filter((focus): focus is Focus => focus !== undefined).sort((a, b) => a.startedAt - b.startedAt);
    },

    async start(input: Omit<Focus, 'id' | 'startedBy' | 'startedAt'>, actor: Actor, now = Date.now()): Promise<Focus> {
      const focus: Focus = { ...input, id: `f-${randomBytes(5).toString('hex')}`, startedBy: who(actor).actor, startedAt: now };
      await writeOne(redis, {
        key: keys.focus(focus.id),
        mode: 'create',
        set: {
          school: focus.school, name: focus.name, nas: JSON.stringify(focus.nas), users: JSON.stringify(focus.users),
          ...(focus.group ? { group: focus.group } : {}),
          allow: JSON.stringify(focus.allow), startedBy: focus.startedBy, startedAt: String(now), until: String(focus.until),
        },
        addTo: [[keys.focuses, focus.id]],
        expireAt: focus.until + KEEP_AFTER_END_MS,
        audit: { ...who(actor), action: 'focus.start', target: focus.id, school: focus.school, detail: { name: focus.name, nas: focus.nas, users: focus.users.length, group: focus.group, allow: focus.allow, until: new Date(focus.until).toISOString() } },
        change: { entity: 'focus', id: focus.id },
      });
      return focus;
    },

    /** Ends a focus; false when it had already ended (another instance or person got there first). */
    async end(focus: Focus, how: FocusEnd, actor: Actor): Promise<boolean> {
      const failure = await writeOne(redis, {
        key: keys.focus(focus.id),
        mode: 'delete',
        removeFrom: [[keys.focuses, focus.id]],
        audit: { ...who(actor), action: `focus.${how}`, target: focus.id, school: focus.school, detail: { name: focus.name } },
        change: { entity: 'focus', id: focus.id },
      });
      return failure === undefined;
    },
  };
}

export type FocusStore = ReturnType<typeof createFocusStore>;

/** `user forget`: the person taken out of every stored focus (the rest of the class stays in it); the changes to announce. */
export async function forgetFocusUser(redis: Redis, username: string): Promise<Change[]> {
  const changes: Change[] = [];
  for await (const found of scanKeys(redis, keys.focus('*'), 'hash')) {
    for (const key of await dropListMember(redis, found, 'users', username)) changes.push({ entity: 'focus', id: decodeURIComponent(key.split(':')[2]!) });
  }
  return changes;
}
