// `mektep user forget`: a person's personal data removed everywhere it is kept — the user, their
// devices, sessions, usage counters, stop records, login tokens, login-failure counters, the
// dashboard's top-user lists — and their audit entries replaced by one tombstone that keeps each
// decision (when, who acted, what action) without naming them. Streams cannot be edited in
// place, and rewriting the whole audit stream would block Redis; deleting the entries that name
// the person and keeping their decisions in the tombstone can be done a page at a time.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { auditFields, type Actor, type Change, who } from './write.js';

const PAGE = 500;
/** Decisions listed in the tombstone; beyond this only counted. */
const TOMBSTONE_MAX = 1000;

export interface Forgotten {
  /** The name the tombstone uses instead of the username. */
  pseudonym: string;
  devices: number;
  sessions: number;
  keys: number;
  stopRecords: number;
  auditEntries: number;
}

async function* scan(redis: Redis, match: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', PAGE);
    cursor = next;
    if (found.length) yield found;
  } while (cursor !== '0');
}

/** Stream entries for which `names` holds, deleted; returns them (id and fields). */
async function deleteEntries(redis: Redis, stream: string, names: (fields: Record<string, string>) => boolean): Promise<[string, Record<string, string>][]> {
  const removed: [string, Record<string, string>][] = [];
  let from = '-';
  for (;;) {
    const page = await redis.xrange(stream, from, '+', 'COUNT', PAGE);
    const matching = page.map(([id, flat]) => [id, Object.fromEntries(flat.flatMap((_, i) => (i % 2 ? [] : [[flat[i]!, flat[i + 1]!]])))] as [string, Record<string, string>])
      .filter(([, fields]) => names(fields));
    if (matching.length) await redis.xdel(stream, ...matching.map(([id]) => id));
    removed.push(...matching);
    if (page.length < PAGE) return removed;
    from = `(${page[page.length - 1]![0]}`;
  }
}

export async function forgetUser(redis: Redis, username: string, actor: Actor): Promise<Forgotten> {
  const pseudonym = `forgotten-${randomBytes(6).toString('hex')}`;
  const quoted = JSON.stringify(username);
  const changes: Change[] = [{ entity: 'user', id: username }];
  const school = await redis.hget(keys.user(username), 'school');
  const remove = redis.multi().del(keys.user(username)).srem(keys.users, username);
  if (school) remove.srem(keys.usersOfSchool(school), username);

  let devices = 0;
  for await (const found of scan(redis, keys.device('*'))) {
    for (const key of found) {
      const [owner, mac, deviceSchool] = await redis.hmget(key, 'user', 'mac', 'school');
      if (owner !== username || !mac) continue;
      remove.del(key).srem(keys.devices, mac);
      if (deviceSchool) remove.srem(keys.devicesOfSchool(deviceSchool), mac);
      changes.push({ entity: 'device', id: mac });
      devices++;
    }
  }

  const sessionIds = await redis.zrange(keys.sessionsOfUser(username), 0, -1);
  for (const id of sessionIds) {
    const [indexes, ipKey, ipAnyKey] = await redis.hmget(keys.session(id), 'indexes', 'ipKey', 'ipAnyKey');
    for (const index of indexes ? (JSON.parse(indexes) as string[]) : []) remove.zrem(index, id);
    // An address key may already name a later session of someone else.
    for (const key of [ipKey, ipAnyKey]) if (key && (await redis.get(key)) === id) remove.del(key);
    remove.zrem(keys.sessions, id).del(keys.session(id), keys.sessionCounted(id));
  }
  remove.del(keys.sessionsOfUser(username), keys.authAttempts(username), keys.loginFailures('user', username), keys.loginLock('user', username));

  let counted = 0;
  for await (const found of scan(redis, `${keys.usage(username, '')}*`)) {
    remove.del(...found);
    counted += found.length;
  }
  for await (const found of scan(redis, `${keys.token('')}*`)) {
    for (const key of found) {
      if ((await redis.hget(key, 'user')) !== username) continue;
      remove.del(key);
      counted++;
    }
  }
  // The dashboard's top users of a school and day.
  for await (const found of scan(redis, `${keys.statsTopUsers('*', '')}*`)) {
    for (const key of found) {
      if ((await redis.zscore(key, username)) === null) continue;
      remove.zrem(key, username);
      counted++;
    }
  }
  await remove.exec();

  const stopRecords = (await deleteEntries(redis, keys.sessionLog, (fields) => fields.user === username)).length;
  const audited = await deleteEntries(redis, keys.audit, (fields) => Object.values(fields).some((value) => value === username || value.includes(quoted)));
  const decisions = audited.slice(-TOMBSTONE_MAX).map(([id, fields]) => ({ at: new Date(Number(id.split('-')[0])).toISOString(), actor: fields.actor === username ? pseudonym : fields.actor, action: fields.action }));
  const tombstone = auditFields({
    ...who(actor), action: 'user.forget', target: pseudonym, ...(school ? { school } : {}),
    detail: { devices, sessions: sessionIds.length, keys: counted, stopRecords, auditEntries: audited.length, decisions },
  });
  await redis.multi().xadd(keys.audit, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', ...tombstone).publish(keys.changes, JSON.stringify(changes)).exec();
  return { pseudonym, devices, sessions: sessionIds.length, keys: counted, stopRecords, auditEntries: audited.length };
}
