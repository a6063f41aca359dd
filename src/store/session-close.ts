// Accounting-On/Off (RFC 2866 §5.1): an access point restarted, so every session it had is over.
// A school-wide power cut makes every AP say so at once, each maybe many times, against tens of
// thousands of sessions: they are closed in Redis, a bounded batch per script call, never loaded
// into the process all together. One run per access point at a time: copies arriving while it
// runs share it (in this process), and another instance waits for the Redis lock, then finds
// nothing left to close.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientContext, Redis, Result } from 'ioredis';
import { keys } from './keys.js';
import { CLOSE_BATCH, LOCK_RENEW } from './session-batch-scripts.js';
import { withStoredNames } from './session-scripts.js';
import { defineScript } from './write.js';

/** Whose sessions an Accounting-On/Off ends: the access point's address within its NAS record, and its NAS-Identifier when sent. */
export interface AccessPointScope {
  nas: string;
  ap: string;
  nasIdentifier?: string | undefined;
}

export interface CloseResult {
  closed: number;
  /** True when this copy shared a run already going for the same access point. */
  joined: boolean;
}

const BATCH = 500;
const LOCK_MS = 30_000;
const LOCK_POLL_MS = 100;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    mkCloseSessions(numberOfKeys: number, ...args: string[]): Result<number | string[], Context>;
    mkLockRenew(lock: string, owner: string, lifetimeMs: string): Result<number, Context>;
  }
}

export function createAccessPointCloser(redis: Redis, logMax: number, countedTtl: number) {
  defineScript(redis, 'mkCloseSessions', CLOSE_BATCH);
  defineScript(redis, 'mkLockRenew', LOCK_RENEW, 1);
  const running = new Map<string, Promise<number>>();

  /** One batch; the script names the index sets and address keys its sessions hold, to be passed in KEYS. */
  async function closeBatch(index: string, ids: string[], cutoff: number, cause: string): Promise<number> {
    const keyList = [index, keys.sessions, keys.sessionLog, ...ids.map((id) => keys.session(id)), ...ids.map((id) => keys.sessionCounted(id))];
    const args = [String(cutoff), cause, String(logMax), keys.sessionAnnouncements, String(countedTtl), ...ids];
    const closed = await withStoredNames(index, (held) => redis.mkCloseSessions(keyList.length + held.length, ...keyList, ...held, ...args), (result) => (typeof result === 'number' ? undefined : result));
    return closed as number;
  }

  async function closeBatches(index: string, cutoff: number, cause: string, lock: string, owner: string): Promise<number> {
    let closed = 0;
    for (;;) {
      const ids = await redis.zrangebyscore(index, '-inf', cutoff, 'LIMIT', 0, BATCH);
      if (ids.length === 0) return closed;
      closed += await closeBatch(index, ids, cutoff, cause);
      await redis.mkLockRenew(lock, owner, String(LOCK_MS));
    }
  }

  async function run(scope: AccessPointScope, cutoff: number, cause: string): Promise<number> {
    const index = keys.sessionsOfAp(scope.nas, scope.ap, scope.nasIdentifier);
    const lock = keys.accountingOnLock(scope.nas, scope.ap, scope.nasIdentifier);
    const owner = randomBytes(12).toString('base64url');
    // The lock expires by itself if its holder dies; it is renewed after every batch.
    while ((await redis.set(lock, owner, 'PX', LOCK_MS, 'NX')) !== 'OK') await sleep(LOCK_POLL_MS);
    try {
      // Without a NAS-Identifier the whole AP restarted: its sessions recorded with one are in their own sets.
      const sets = scope.nasIdentifier === undefined ? [index, ...(await redis.smembers(keys.apIdentifiers(scope.nas, scope.ap))).sort()] : [index];
      let closed = 0;
      for (const set of sets) closed += await closeBatches(set, cutoff, cause, lock, owner);
      return closed;
    } finally {
      await redis.mkLockRenew(lock, owner, '0');
    }
  }

  return {
    /** Closes the sessions of the access point not updated after `cutoff` (ms); see the file comment. */
    async close(scope: AccessPointScope, cutoff: number, cause: string): Promise<CloseResult> {
      const key = keys.sessionsOfAp(scope.nas, scope.ap, scope.nasIdentifier);
      const going = running.get(key);
      if (going) return { closed: await going, joined: true };
      const started = run(scope, cutoff, cause).finally(() => running.delete(key));
      running.set(key, started);
      return { closed: await started, joined: false };
    },
  };
}
