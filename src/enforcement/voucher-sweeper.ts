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

export interface EndedVoucher {
  voucher: Voucher;
  reason: string;
}

/**
 * Disconnects the live sessions the vouchers let in; returns how many per voucher. There is
 * no set per MAC (docs/scale.md): one read of each school's set for its vouchers' devices, and one
 * pass over the region's set for the vouchers of no school, however many vouchers and devices.
 */
export async function endVoucherSessions(deps: VoucherSessionDeps, ended: EndedVoucher[]): Promise<Map<EndedVoucher, number>> {
  const counts = new Map<EndedVoucher, number>();
  const bySchool = new Map<string, Map<string, EndedVoucher[]>>();
  for (const entry of ended) {
    const devices = bySchool.get(entry.voucher.school ?? '') ?? new Map<string, EndedVoucher[]>();
    bySchool.set(entry.voucher.school ?? '', devices);
    for (const mac of await deps.vouchers.devices(entry.voucher.code)) {
      const owners = devices.get(mac);
      if (owners) owners.push(entry);
      else devices.set(mac, [entry]);
    }
  }
  for (const [school, devices] of bySchool) {
    if (devices.size === 0) continue;
    // A school's voucher logs in to that school (its set); a region's anywhere (the region's set).
    for (const session of await deps.sessions.list({ macs: new Set(devices.keys()), ...(school ? { school } : {}) })) {
      const owner = session.user === undefined ? devices.get(session.mac ?? '')?.find((entry) => entry.voucher.role === session.role) : undefined;
      if (!owner) continue;
      await deps.disconnect(session, owner.reason);
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
  }
  return counts;
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
  const due: EndedVoucher[] = [];
  for (const voucher of await deps.vouchers.list()) {
    const reason = voucher.used === 0 ? undefined : voucherEnded(voucher, now);
    if (reason) due.push({ voucher, reason });
  }
  let ended = 0;
  for (const [{ voucher, reason }, count] of await endVoucherSessions(deps, due)) {
    deps.log.info({ voucher: voucher.code, school: voucher.school, sessions: count, reason }, 'voucher sweep: sessions ended');
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
