// Ends the live sessions of vouchers that have run out or been revoked. Session-Timeout already
// ends a voucher session on time; this catches revocations and sessions whose NAS ignores
// Session-Timeout. Once a minute, by whichever instance takes the Redis lock first.
// A voucher session carries no username (its Class names the voucher), so it is found by the
// devices that redeemed the voucher: their live sessions without a user, in the voucher's role.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { keys } from '../store/keys.js';
import type { Session, SessionStore } from '../store/sessions.js';
import type { Voucher, VoucherStore } from '../store/vouchers.js';
import { SWEEP_INTERVAL_MS } from './schedule-sweeper.js';

export interface VoucherSessionDeps {
  vouchers: Pick<VoucherStore, 'devices'>;
  sessions: Pick<SessionStore, 'list'>;
  disconnect: (session: Session, reason: string) => Promise<unknown>;
}

/** Disconnects the live sessions a voucher let in; returns how many. */
export async function endVoucherSessions(deps: VoucherSessionDeps, voucher: Voucher, reason: string): Promise<number> {
  let ended = 0;
  for (const mac of await deps.vouchers.devices(voucher.code)) {
    // A school's voucher logs in to that school (sessions.ts list: its set, not the region's).
    for (const session of await deps.sessions.list({ mac, ...(voucher.school ? { school: voucher.school } : {}) })) {
      if (session.user !== undefined || session.role !== voucher.role) continue;
      await deps.disconnect(session, reason);
      ended++;
    }
  }
  return ended;
}

/** Why a used voucher no longer admits anyone at `now`, or undefined while it does. */
export function voucherEnded(voucher: Voucher, now: number): string | undefined {
  if (voucher.revoked) return 'the voucher was revoked';
  if (voucher.validUntil && now >= Date.parse(voucher.validUntil)) return 'the voucher is no longer valid';
  if (voucher.firstUsedAt && now >= Date.parse(voucher.firstUsedAt) + voucher.duration * 1000) return "the voucher's time ran out";
  return undefined;
}

export interface VoucherSweeperDeps extends VoucherSessionDeps {
  redis: Pick<Redis, 'set'>;
  vouchers: Pick<VoucherStore, 'devices' | 'list'>;
  log: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
}

/** One sweep; returns how many sessions were ended (0 when another instance holds the lock). */
export async function sweepVouchers(deps: VoucherSweeperDeps): Promise<number> {
  if ((await deps.redis.set(keys.voucherSweepLock, String(process.pid), 'PX', SWEEP_INTERVAL_MS - 5000, 'NX')) !== 'OK') return 0;
  const now = (deps.now ?? Date.now)();
  let ended = 0;
  for (const voucher of await deps.vouchers.list()) {
    if (voucher.used === 0) continue;
    const reason = voucherEnded(voucher, now);
    if (!reason) continue;
    const count = await endVoucherSessions(deps, voucher, reason);
    if (count > 0) deps.log.info({ voucher: voucher.code, school: voucher.school, sessions: count, reason }, 'voucher sweep: sessions ended');
    ended += count;
  }
  return ended;
}

export function startVoucherSweeper(deps: VoucherSweeperDeps): () => void {
  const timer = setInterval(() => {
    sweepVouchers(deps).catch((error: unknown) => deps.log.warn({ err: error }, 'voucher sweep failed'));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
