// Role policies: one global policy per role and optional per-school overrides, each a hash of
// field → JSON value. An override holds only the fields it changes.
import type { Redis } from 'ioredis';
import { ValidationError } from '../errors.js';
import { mergePolicy, POLICY_FIELDS, validatePolicy, type Policy } from '../policy/fields.js';
import { keys } from './keys.js';
import { readHashes } from './read.js';
import { who, writeOne, type Actor } from './write.js';

export interface PolicyView {
  role: string;
  school?: string;
  /** Global policy with the school's override applied. */
  effective: Policy;
  /** The fields the school's override sets (empty without a school). */
  overridden: string[];
}

function decode(hash: Record<string, string>): Policy {
  const policy: Record<string, unknown> = {};
  for (const field of POLICY_FIELDS) if (hash[field] !== undefined) policy[field] = JSON.parse(hash[field]) as unknown;
  return policy;
}

interface Checks {
  requireSchool(id: string): Promise<unknown>;
  requireRole(name: string): Promise<unknown>;
}

export function createPolicyStore(redis: Redis, checks: Checks) {
  async function view(role: string, school?: string): Promise<PolicyView> {
    const [global = {}, override = {}] = await readHashes(redis, [keys.policy(role), ...(school ? [keys.policy(role, school)] : [])]);
    const own = decode(override);
    return { role, ...(school ? { school } : {}), effective: mergePolicy(decode(global), own), overridden: Object.keys(own).sort() };
  }

  return {
    view,

    /** Sets the named fields (merging with what is there) and clears the ones in `clear`. */
    async set(role: string, school: string | undefined, fields: Policy, clear: string[], actor: Actor): Promise<PolicyView> {
      await checks.requireRole(role);
      if (school) await checks.requireSchool(school);
      const valid = validatePolicy(fields);
      for (const field of clear) if (!(POLICY_FIELDS as string[]).includes(field)) throw new ValidationError(`"${field}" is not a policy field`);
      const set = Object.fromEntries(Object.entries(valid).map(([field, value]) => [field, JSON.stringify(value)]));
      if (Object.keys(set).length === 0 && clear.length === 0) throw new ValidationError('nothing to change: name at least one policy field');
      await writeOne(redis, {
        key: keys.policy(role, school),
        mode: 'upsert',
        set,
        unset: clear,
        audit: { ...who(actor), action: 'policy.set', target: school ? `${role}@${school}` : role, school, detail: { set: valid, clear } },
        change: { entity: 'policy', id: school ? `${role}@${school}` : role },
      });
      return view(role, school);
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;
