// The bounded steps `user forget` (forget.ts) takes through the keyspace: keys found by SCAN a
// page at a time (never KEYS), stream entries read and deleted a page at a time (a query log or
// the audit stream may hold hundreds of thousands), and one member taken out of a hash's JSON
// list atomically (a group's members, a focus's users), so a concurrent edit is never lost; and
// the person's sessions closed by the session table's own Lua (session-scripts.ts).
import type { ClientContext, Redis, Result } from 'ioredis';
import { keys } from './keys.js';
import { FORGET_SESSIONS } from './session-batch-scripts.js';
import { withStoredNames } from './session-scripts.js';
import { defineScript } from './write.js';

const PAGE = 500;

export async function* scanKeys(redis: Redis, match: string, type?: 'hash' | 'set' | 'stream' | 'string'): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, found] = type
      ? await redis.scan(cursor, 'MATCH', match, 'COUNT', PAGE, 'TYPE', type)
      : await redis.scan(cursor, 'MATCH', match, 'COUNT', PAGE);
    cursor = next;
    if (found.length) yield found;
  } while (cursor !== '0');
}

/** The members of a sorted set, a page at a time (ZSCAN may repeat one: callers collect into a Set). */
export async function* scanSet(redis: Redis, key: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.zscan(key, cursor, 'COUNT', PAGE);
    cursor = next;
    const members = flat.filter((_, index) => index % 2 === 0);
    if (members.length) yield members;
  } while (cursor !== '0');
}

/** Every live session's id with the hash fields asked, a page of the region's set at a time (one pipeline per page). */
export async function* sessionFieldPages(redis: Redis, fields: string[]): AsyncGenerator<[string, (string | null)[]][]> {
  for await (const page of scanSet(redis, keys.sessions)) {
    const pipeline = redis.pipeline();
    for (const id of page) pipeline.hmget(keys.session(id), ...fields);
    const rows = (await pipeline.exec()) ?? [];
    yield page.map((id, index) => {
      const [error, values] = rows[index]!;
      if (error) throw error;
      return [id, values as (string | null)[]];
    });
  }
}

export type StreamFields = Record<string, string>;

/** Deletes the entries of `stream` for which `names` holds, a page at a time; hands each to `removed` and returns how many. */
export async function deleteStreamEntries(redis: Redis, stream: string, names: (fields: StreamFields) => boolean, removed?: (id: string, fields: StreamFields) => void): Promise<number> {
  let count = 0;
  let from = '-';
  for (;;) {
    const page = await redis.xrange(stream, from, '+', 'COUNT', PAGE);
    const matching = page.map(([id, flat]) => [id, Object.fromEntries(flat.flatMap((_, i) => (i % 2 ? [] : [[flat[i]!, flat[i + 1]!]])))] as [string, StreamFields])
      .filter(([, fields]) => names(fields));
    if (matching.length) await redis.xdel(stream, ...matching.map(([id]) => id));
    for (const [id, fields] of matching) removed?.(id, fields);
    count += matching.length;
    if (page.length < PAGE) return count;
    from = `(${page[page.length - 1]![0]}`;
  }
}

// KEYS: the hash. ARGV: the field holding a JSON list, the member. 1 when it was listed.
// cjson encodes an empty table as {}: an emptied list is written as [] by hand.
const DROP_MEMBER = `
local listed = redis.call('HGET', KEYS[1], ARGV[1])
if not listed then return 0 end
local kept, found = {}, false
for _, member in ipairs(cjson.decode(listed)) do
  if member == ARGV[2] then found = true else kept[#kept + 1] = member end
end
if not found then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], #kept == 0 and '[]' or cjson.encode(kept))
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkDropListMember(key: string, field: string, member: string): Result<number, Context>;
    mkForgetSessions(numberOfKeys: number, ...args: string[]): Result<number | string[], Context>;
  }
}

/** Takes `member` out of the JSON list in `field` of each hash; returns the keys it was in. */
export async function dropListMember(redis: Redis, hashes: string[], field: string, member: string): Promise<string[]> {
  defineScript(redis, 'mkDropListMember', DROP_MEMBER, 1);
  const dropped: string[] = [];
  for (const key of hashes) if ((await redis.mkDropListMember(key, field, member)) === 1) dropped.push(key);
  return dropped;
}

/**
 * Closes the sessions as a Stop closes them (the DNS filter hears of each end), a page at a time;
 * an address entry goes only if it still names the session when it is closed.
 */
export async function closeSessions(redis: Redis, ids: string[]): Promise<void> {
  defineScript(redis, 'mkForgetSessions', FORGET_SESSIONS);
  for (let from = 0; from < ids.length; from += PAGE) {
    const page = ids.slice(from, from + PAGE);
    const keyList = [keys.sessions, ...page.map((id) => keys.session(id)), ...page.map((id) => keys.sessionCounted(id))];
    const args = [keys.sessionAnnouncements, ...page];
    await withStoredNames(page[0]!, (held) => redis.mkForgetSessions(keyList.length + held.length, ...keyList, ...held, ...args), (reply) => (typeof reply === 'number' ? undefined : reply));
  }
}
