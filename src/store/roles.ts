// Network roles: what a user or device is on the Wi-Fi. The four built-in roles exist from the
// start (schema.ts) with no limits until an admin sets a policy.
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError } from '../errors.js';
import { keys } from './keys.js';
import { slug } from './validate.js';
import { who, writeOne, type Actor } from './write.js';

export const BUILT_IN_ROLES = ['student', 'teacher', 'staff', 'guest'] as const;

export function createRoleStore(redis: Redis) {
  return {
    async list(): Promise<string[]> {
      return (await redis.smembers(keys.roles)).sort();
    },

    async require(name: string): Promise<string> {
      if (!(await redis.sismember(keys.roles, name))) throw new NotFoundError(`role "${name}" does not exist`);
      return name;
    },

    async add(input: string, actor: Actor): Promise<string> {
      const name = slug(input, 'role name');
      if (await redis.sismember(keys.roles, name)) throw new ConflictError(`role "${name}" already exists`);
      await writeOne(redis, {
        key: keys.policy(name),
        mode: 'upsert',
        addTo: [[keys.roles, name]],
        audit: { ...who(actor), action: 'role.add', target: name },
        change: { entity: 'role', id: name },
      });
      return name;
    },
  };
}

export type RoleStore = ReturnType<typeof createRoleStore>;
