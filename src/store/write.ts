// The single write path of the store: entity hashes, their index sets, the audit entry and the
// change announcement are written together in one Lua script, so a write is all or nothing and
// a batch (a CSV import) either lands whole or not at all.
import type { ClientContext, Redis, Result } from 'ioredis';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';

export type Entity = 'school' | 'nas' | 'user' | 'account' | 'role' | 'policy' | 'device' | 'voucher' | 'content-profile' | 'content-category' | 'content-network' | 'focus' | 'group' | 'site-request' | 'content-granted' | 'query-log';

export interface Change {
  entity: Entity;
  id: string;
}

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  /** The school the target belongs to, so a school admin sees only that school's entries. */
  school?: string | undefined;
  /** Where the actor acted from (an IP address), when known. */
  source?: string | undefined;
  detail?: Record<string, unknown>;
}

/** Who writes: an actor ("cli:root", "account:aliya"), or one with the address they acted from. */
export type Actor = string | { actor: string; source?: string | undefined };

/** The audit fields of an actor. */
export function who(actor: Actor): Pick<AuditEntry, 'actor' | 'source'> {
  return typeof actor === 'string' ? { actor } : { actor: actor.actor, ...(actor.source ? { source: actor.source } : {}) };
}

/** The stream fields of an audit entry (XADD field value …). */
export function auditFields(entry: AuditEntry): string[] {
  return [
    'actor', entry.actor,
    'action', entry.action,
    'target', entry.target,
    ...(entry.school ? ['school', entry.school] : []),
    ...(entry.source ? ['source', entry.source] : []),
    ...(entry.detail ? ['detail', JSON.stringify(entry.detail)] : []),
  ];
}

export interface WriteOp {
  key: string;
  /** create: must not exist; update/delete: must exist; upsert: either. */
  mode: 'create' | 'update' | 'upsert' | 'delete';
  set?: Record<string, string>;
  unset?: string[];
  addTo?: [setKey: string, member: string][];
  removeFrom?: [setKey: string, member: string][];
  /** Epoch ms at which Redis deletes the entity by itself (PEXPIREAT). */
  expireAt?: number;
  audit: AuditEntry;
  change: Change;
}

export interface WriteFailure {
  index: number;
  reason: 'exists' | 'missing';
}

const SCRIPT = `
local ops = cjson.decode(ARGV[1])
local failed = {}
for i, op in ipairs(ops) do
  local exists = redis.call('EXISTS', KEYS[op.k]) == 1
  if op.mode == 'create' and exists then
    failed[#failed + 1] = (i - 1) .. ':exists'
  elseif (op.mode == 'update' or op.mode == 'delete') and not exists then
    failed[#failed + 1] = (i - 1) .. ':missing'
  end
end
if #failed > 0 then return failed end
for _, op in ipairs(ops) do
  local key = KEYS[op.k]
  if op.mode == 'delete' then
    redis.call('DEL', key)
  else
    if #op.set > 0 then redis.call('HSET', key, unpack(op.set)) end
    if #op.unset > 0 then redis.call('HDEL', key, unpack(op.unset)) end
    if op.exp > 0 then redis.call('PEXPIREAT', key, op.exp) end
  end
  for _, a in ipairs(op.add) do redis.call('SADD', KEYS[a[1]], a[2]) end
  for _, a in ipairs(op.rem) do redis.call('SREM', KEYS[a[1]], a[2]) end
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(op.audit))
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {}
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkWrite(numKeys: number, ...args: string[]): Result<string[], Context>;
  }
}

/** Registers a Lua script as a command on a connection once (EVALSHA, falling back to EVAL). */
export function defineScript(redis: Redis, name: string, lua: string, numberOfKeys?: number): void {
  if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function') {
    redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { lua, numberOfKeys });
  }
}

/** Applies every op or none; returns the ops whose precondition failed (then nothing was written). */
export async function writeAll(redis: Redis, ops: WriteOp[]): Promise<WriteFailure[]> {
  if (ops.length === 0) return [];
  defineScript(redis, 'mkWrite', SCRIPT);
  const keyList: string[] = [keys.audit];
  const slot = new Map<string, number>([[keys.audit, 1]]);
  const ref = (key: string): number => {
    let index = slot.get(key);
    if (index === undefined) {
      keyList.push(key);
      index = keyList.length;
      slot.set(key, index);
    }
    return index;
  };
  const encoded = ops.map((op) => ({
    k: ref(op.key),
    mode: op.mode,
    set: Object.entries(op.set ?? {}).flat(),
    unset: op.unset ?? [],
    add: (op.addTo ?? []).map(([setKey, member]) => [ref(setKey), member]),
    rem: (op.removeFrom ?? []).map(([setKey, member]) => [ref(setKey), member]),
    exp: op.expireAt ?? 0,
    audit: auditFields(op.audit),
  }));
  const changes = JSON.stringify(ops.map((op) => op.change));
  const result = await redis.mkWrite(keyList.length, ...keyList, JSON.stringify(encoded), String(AUDIT_MAX_ENTRIES), keys.changes, changes);
  return result.map((entry) => {
    const [index, reason] = entry.split(':');
    return { index: Number(index), reason: reason as WriteFailure['reason'] };
  });
}

/** One op; returns the failed precondition, if any. */
export async function writeOne(redis: Redis, op: WriteOp): Promise<WriteFailure['reason'] | undefined> {
  const [failure] = await writeAll(redis, [op]);
  return failure?.reason;
}
