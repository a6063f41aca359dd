// Password hashing with scrypt (node:crypto, run on libuv's thread pool, so hashing never blocks
// the event loop). Stored as "scrypt$N$r$p$salt$hash", base64url, so parameters can be raised
// later without breaking existing hashes.
import createError from '@fastify/error';
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes in the management lane: an import of thousands of users never delays a RADIUS login. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scheduler.run(MANAGEMENT_LANE, () => derive(password, salt, { N, r: R, p: P }));
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Which queue scrypt work waits in: RADIUS logins (APs time out after a few seconds), a portal
 * login from one client address, or management work (hashing new passwords: imports, resets),
 * which may wait but is never refused. */
export type PasswordLane = { kind: 'radius' } | { kind: 'portal'; client: string } | { kind: 'management' };
export const RADIUS_LANE: PasswordLane = { kind: 'radius' };
export const MANAGEMENT_LANE: PasswordLane = { kind: 'management' };

export const PasswordBusyError = createError<'MK_ERR_PASSWORD_BUSY', 503, []>('MK_ERR_PASSWORD_BUSY', 'Too many password checks are waiting; try again in a moment', 503);

export interface SchedulerLimits {
  /** Checks running at once: the size of libuv's thread pool (4 by default), where scrypt runs. */
  slots: number;
  /** Portal and management work running at once; the rest of the slots are kept for RADIUS. */
  sharedSlots: number;
  /** Running plus waiting portal checks from one client address. A school behind one NAT signs
   * in about 12 students a second (700 in a minute): far below this. */
  perClient: number;
  /** Waiting portal checks in all. */
  portalQueue: number;
  /** Waiting RADIUS checks: past a few seconds of work the AP has given up anyway. */
  radiusQueue: number;
}

export const DEFAULT_LIMITS: SchedulerLimits = { slots: 4, sharedSlots: 3, perClient: 32, portalQueue: 256, radiusQueue: 512 };

/** Admits scrypt work onto the thread pool: RADIUS first and never waiting behind other work,
 * then portal checks (a person is waiting), bounded per client and in all, then management
 * work; portal overload is refused at once (PasswordBusyError) rather than queued into a stall.
 * Management work is bounded by what submits it (an import's size limit). */
export function createPasswordScheduler(limits: SchedulerLimits = DEFAULT_LIMITS) {
  let running = 0;
  let sharedRunning = 0;
  const radiusWaiting: (() => void)[] = [];
  const portalWaiting: (() => void)[] = [];
  const managementWaiting: (() => void)[] = [];
  const perClient = new Map<string, number>();

  function next(): void {
    while (running < limits.slots) {
      const start = radiusWaiting.shift() ?? (sharedRunning < limits.sharedSlots ? (portalWaiting.shift() ?? managementWaiting.shift()) : undefined);
      if (!start) return;
      start();
    }
  }

  async function run<T>(lane: PasswordLane, work: () => Promise<T>): Promise<T> {
    const portal = lane.kind === 'portal';
    const shared = lane.kind !== 'radius';
    if (portal) {
      const held = perClient.get(lane.client) ?? 0;
      if (held >= limits.perClient || portalWaiting.length >= limits.portalQueue) throw new PasswordBusyError();
      perClient.set(lane.client, held + 1);
    } else if (radiusWaiting.length >= limits.radiusQueue) {
      throw new PasswordBusyError();
    }
    await new Promise<void>((resolve) => {
      const start = () => {
        running++;
        if (shared) sharedRunning++;
        resolve();
      };
      (lane.kind === 'radius' ? radiusWaiting : portal ? portalWaiting : managementWaiting).push(start);
      next();
    });
    try {
      return await work();
    } finally {
      running--;
      if (shared) sharedRunning--;
      if (portal) {
        const held = (perClient.get(lane.client) ?? 1) - 1;
        if (held === 0) perClient.delete(lane.client);
        else perClient.set(lane.client, held);
      }
      next();
    }
  }

  return {
    run,
    stats: () => ({ running, sharedRunning, radiusWaiting: radiusWaiting.length, portalWaiting: portalWaiting.length, managementWaiting: managementWaiting.length, clients: perClient.size }),
  };
}

export type PasswordScheduler = ReturnType<typeof createPasswordScheduler>;

// One per process: it shares out this process's thread pool.
const scheduler = createPasswordScheduler();

// Same parameters as hashPassword, so checking against it costs what a real check costs.
const DUMMY_HASH = 'scrypt$16384$8$1$bWVrdGVwLWR1bW15LXNhbHQ$VdrwN5vYr2OgAZB7TQogGADWW5lk2Tm2j1Tgz8h8YHE';

/** Checks a password in its lane, doing the same scrypt work when there is no such user
 * (`stored` undefined), so timing does not tell whether a username exists. Throws
 * PasswordBusyError when the lane is full. */
export async function checkPassword(password: string, stored: string | undefined, lane: PasswordLane = RADIUS_LANE, on: PasswordScheduler = scheduler): Promise<boolean> {
  const matches = await on.run(lane, () => verifyPassword(password, stored ?? DUMMY_HASH));
  return stored !== undefined && matches;
}

// No 0/O, 1/l/I: generated passwords are read off paper by children.
const READABLE = 'abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassword(length = 10): string {
  return Array.from({ length }, () => READABLE[randomInt(READABLE.length)]).join('');
}
