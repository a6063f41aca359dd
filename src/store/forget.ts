// `mektep user forget`: a person's personal data removed everywhere it is kept — the user, their
// devices, sessions, usage counters, stop records, login tokens, login-failure counters, the
// dashboard's top-user lists, their place in lesson-focus groups and running focuses, their site
// requests, their DNS query-log entries, guest requests and voucher redemptions of their
// devices — and their audit entries replaced by one tombstone that keeps each decision (when,
// who acted, what action) without naming them. docs/operations.md has the table of every key
// family. Every step is bounded: keys by SCAN, streams a page at a time (forget-steps.ts);
// deleting the entries that name the person, a page at a time, never rewrites a whole stream.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { forgetFocusUser } from './focus.js';
import { closeSessions, deleteStreamEntries, scanKeys, sessionFieldPages, type StreamFields } from './forget-steps.js';
import { forgetGroupMember } from './groups.js';
import { forgetGuestDevices } from './guests.js';
import { AUDIT_MAX_ENTRIES, keys } from './keys.js';
import { FIELD } from './session-fields.js';
import { parseMac } from './mac.js';
import { forgetQueryLogUser } from './query-log.js';
import { SESSION_TTL_SECONDS } from './sessions.js';
import { normalizeUsername } from './users.js';
import { auditFields, type Actor, type Change, who } from './write.js';

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
  groups: number;
  focuses: number;
  siteRequests: number;
  guestRequests: number;
  /** Vouchers whose redeeming devices listed one of theirs. */
  voucherDevices: number;
  queryLogEntries: number;
}

/** What ties data to the person besides their name: the MACs and addresses of their devices and sessions. */
interface Traces {
  macs: Set<string>;
  ips: Set<string>;
}

/** Their site requests (who asked, from which device and address, for which domain) and the names granted to them; returns how many requests. */
async function forgetSiteRequests(redis: Redis, username: string, { macs, ips }: Traces, changes: Change[]): Promise<number> {
  let forgotten = 0;
  for await (const found of scanKeys(redis, keys.siteRequest('*'), 'hash')) {
    for (const key of found) {
      const [user, mac, school] = await redis.hmget(key, 'user', 'mac', 'school');
      if (user !== username && !(mac && macs.has(mac))) continue;
      const id = decodeURIComponent(key.split(':')[2]!);
      const remove = redis.multi().del(key);
      if (school) remove.srem(keys.siteRequestsOfSchool(school), id);
      await remove.exec();
      changes.push({ entity: 'site-request', id });
      forgotten++;
    }
  }
  // The hour's ask counters are keyed by the address.
  if (ips.size > 0) await redis.del(...[...ips].map((ip) => keys.siteRequestsAsked(ip)));
  // Names a teacher allowed them ("user:<name>|<domain>"; a school's grants end within a day).
  for await (const found of scanKeys(redis, keys.contentGranted('*'), 'hash')) {
    for (const key of found) {
      const theirs = (await redis.hkeys(key)).filter((field) => field.startsWith(`user:${username}|`));
      if (theirs.length === 0) continue;
      await redis.hdel(key, ...theirs);
      changes.push({ entity: 'content-granted', id: decodeURIComponent(key.split(':')[2]!) });
    }
  }
  return forgotten;
}

/** The person's devices taken off the vouchers they redeemed (the use stays spent); returns how many sets named them. */
async function forgetVoucherDevices(redis: Redis, macs: ReadonlySet<string>): Promise<number> {
  if (macs.size === 0) return 0;
  let forgotten = 0;
  for await (const found of scanKeys(redis, keys.voucherDevices('*'), 'set')) {
    for (const key of found) forgotten += Math.min(1, await redis.srem(key, ...macs));
  }
  return forgotten;
}

/**
 * The audit entries that name the person, by the fields that name someone (audit.ts): about their
 * user or a device of theirs (the target), their session or device (detail.user, detail.mac), a
 * site granted to them (detail.scopes), or the portal acting for their device. Nothing else: an outcome, a role or a school id may be
 * spelled like a username.
 */
function personEntries(username: string, macs: ReadonlySet<string>) {
  const portalFor = (actor: string | undefined) => !!actor?.startsWith('portal:') && macs.has(actor.slice('portal:'.length));
  const scope = `user:${username}`;
  const inDetail = (detail: string | undefined) => {
    if (!detail || ![username, scope, ...macs].some((needle) => detail.includes(JSON.stringify(needle).slice(0, -1)))) return false;
    const { user, mac, scopes } = JSON.parse(detail) as { user?: unknown; mac?: unknown; scopes?: unknown };
    return user === username || (typeof mac === 'string' && macs.has(mac)) || (Array.isArray(scopes) && scopes.includes(scope));
  };
  const names = ({ action = '', target, actor, detail }: StreamFields) =>
    (action.startsWith('user.') && target === username) || (action.startsWith('device.') && !!target && macs.has(target)) || portalFor(actor) || inDetail(detail);
  return { names, portalFor };
}

/** How long a forgotten person's accounting is charged to nobody: a session's lifetime, and an hour's margin. */
const FORGOTTEN_MARK_SECONDS = SESSION_TTL_SECONDS + 3600;

/**
 * Their sessions, closed here (a NAS may ignore the Disconnect): those charged to them, and those
 * of their devices naming no one else (MAC authentication, or a User-Name with no Class issued).
 */
async function personSessions(redis: Redis, username: string, macs: ReadonlySet<string>): Promise<string[]> {
  const ids = new Set(await redis.zrange(keys.sessionsOfUser(username), 0, -1));
  if (macs.size === 0) return [...ids];
  // No set per MAC: one pass over the region's sessions, a page at a time, for all their devices.
  for await (const page of sessionFieldPages(redis, [FIELD.mac, FIELD.user, FIELD.userName])) {
    for (const [id, [mac, user, userName]] of page) {
      if (!mac || !macs.has(mac)) continue;
      const named = userName?.trim().toLowerCase();
      if (user === username || (!user && (!named || named === username || parseMac(named) === mac))) ids.add(id);
    }
  }
  return [...ids];
}

async function markForgotten(redis: Redis, macs: ReadonlySet<string>): Promise<void> {
  if (macs.size === 0) return;
  const marked = redis.pipeline();
  for (const mac of macs) marked.set(keys.forgotten(mac), '1', 'EX', FORGOTTEN_MARK_SECONDS);
  await marked.exec();
}

export async function forgetUser(redis: Redis, spelled: string, actor: Actor): Promise<Forgotten> {
  const username = normalizeUsername(spelled);
  const pseudonym = `forgotten-${randomBytes(6).toString('hex')}`;
  // First: accounting that arrives while this runs (the Stop its Disconnect provokes) adds nothing back.
  await redis.set(keys.forgotten(username), '1', 'EX', FORGOTTEN_MARK_SECONDS);
  const changes: Change[] = [{ entity: 'user', id: username }];
  const school = await redis.hget(keys.user(username), 'school');
  // The person's own records go last, in one MULTI with the tombstone: a run cut short (Redis
  // gone) leaves the user in place, and running it again finishes the job.
  const remove = redis.multi().del(keys.user(username)).srem(keys.users, username);
  if (school) remove.srem(keys.usersOfSchool(school), username);
  const traces: Traces = { macs: new Set(), ips: new Set() };

  let devices = 0;
  for await (const found of scanKeys(redis, keys.device('*'))) {
    for (const key of found) {
      const [owner, mac, deviceSchool] = await redis.hmget(key, 'user', 'mac', 'school');
      if (owner !== username || !mac) continue;
      remove.del(key).srem(keys.devices, mac);
      if (deviceSchool) remove.srem(keys.devicesOfSchool(deviceSchool), mac);
      changes.push({ entity: 'device', id: mac });
      traces.macs.add(mac);
      devices++;
    }
  }

  let counted = 0;
  for await (const found of scanKeys(redis, `${keys.usage(username, '')}*`)) {
    remove.del(...found);
    counted += found.length;
  }
  for await (const found of scanKeys(redis, `${keys.token('')}*`)) {
    for (const key of found) {
      const [owner, mac] = await redis.hmget(key, 'user', 'mac');
      if (owner !== username) continue;
      remove.del(key);
      if (mac) traces.macs.add(mac);
      counted++;
    }
  }
  await markForgotten(redis, traces.macs);
  const sessionIds = await personSessions(redis, username, traces.macs);
  for (const id of sessionIds) {
    const [mac, ip] = await redis.hmget(keys.session(id), FIELD.mac, FIELD.ip);
    if (mac) traces.macs.add(mac);
    if (ip) traces.ips.add(ip);
  }
  // Closed now, each address entry checked and deleted in one script: DHCP may give the address to
  // another device while the steps below run, and that person's key must stay. Their devices
  // marked first, so none of them starts a session again meanwhile.
  await markForgotten(redis, traces.macs);
  await closeSessions(redis, sessionIds);
  remove.del(keys.sessionsOfUser(username), keys.authAttempts(username), keys.loginFailures('user', username), keys.loginLock('user', username));
  // The dashboard's top users of a school and day.
  for await (const found of scanKeys(redis, `${keys.statsTopUsers('*', '')}*`)) {
    for (const key of found) {
      if ((await redis.zscore(key, username)) === null) continue;
      remove.zrem(key, username);
      counted++;
    }
  }
  for (const mac of traces.macs) {
    for (const kind of ['device', 'voucher-device']) remove.del(keys.loginFailures(kind, mac), keys.loginLock(kind, mac));
    remove.set(keys.forgotten(mac), '1', 'EX', FORGOTTEN_MARK_SECONDS);
  }

  const groupChanges = await forgetGroupMember(redis, username);
  const focusChanges = await forgetFocusUser(redis, username);
  changes.push(...groupChanges, ...focusChanges);
  const siteRequests = await forgetSiteRequests(redis, username, traces, changes);
  const guestRequests = await forgetGuestDevices(redis, traces.macs);
  const voucherDevices = await forgetVoucherDevices(redis, traces.macs);
  const queryLogEntries = await forgetQueryLogUser(redis, username);
  const stopRecords = await deleteStreamEntries(redis, keys.sessionLog, (fields) => fields.user === username);

  // Not the display name: another person may bear it, and every entry naming this one names the username.
  const person = personEntries(username, traces.macs);
  const decisions: { at: string; actor: string | undefined; action: string | undefined }[] = [];
  const auditEntries = await deleteStreamEntries(redis, keys.audit, person.names, (id, fields) => {
    decisions.push({ at: new Date(Number(id.split('-')[0])).toISOString(), actor: person.portalFor(fields.actor) ? pseudonym : fields.actor, action: fields.action });
    if (decisions.length > TOMBSTONE_MAX) decisions.shift();
  });
  const counts = {
    devices, sessions: sessionIds.length, keys: counted, stopRecords, auditEntries,
    groups: groupChanges.length, focuses: focusChanges.length, siteRequests, guestRequests, voucherDevices, queryLogEntries,
  };
  const tombstone = auditFields({ ...who(actor), action: 'user.forget', target: pseudonym, ...(school ? { school } : {}), detail: { ...counts, decisions } });
  await remove.xadd(keys.audit, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', ...tombstone).publish(keys.changes, JSON.stringify(changes)).exec();
  return { pseudonym, ...counts };
}
