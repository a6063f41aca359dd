// Ends guest approvals that ran out (docs/guests.md): the device's live sessions are disconnected
// and the device is forgotten, so the one expiry of the approval ends everything. Session-Timeout
// already ends most sessions on time; this catches the rest. Once a minute, by whichever instance
// takes the Redis lock first.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DeviceStore } from '../store/devices.js';
import type { GuestStore } from '../store/guests.js';
import { keys } from '../store/keys.js';
import type { Session, SessionStore } from '../store/sessions.js';

export const GUEST_SWEEP_INTERVAL_MS = 60_000;
const ACTOR = 'mektep:guest-sweep';

export interface GuestSweeperDeps {
  redis: Pick<Redis, 'set'>;
  guests: Pick<GuestStore, 'endedApprovals' | 'get' | 'dropEnded'>;
  devices: Pick<DeviceStore, 'forgetGuest'>;
  sessions: Pick<SessionStore, 'list'>;
  disconnect: (session: Session, reason: string, actor: string) => Promise<unknown>;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** One sweep; how many approvals were ended (0 when another instance holds the lock). */
export async function sweepGuests(deps: GuestSweeperDeps): Promise<number> {
  if ((await deps.redis.set(keys.guestSweepLock, String(process.pid), 'PX', GUEST_SWEEP_INTERVAL_MS - 5000, 'NX')) !== 'OK') return 0;
  const ended = await deps.guests.endedApprovals();
  for (const id of ended) {
    const request = await deps.guests.get(id);
    if (request) {
      // A guest session is its approval's school's (the device was remembered for it): found in that school's set.
      const sessions = (await deps.sessions.list({ mac: request.mac, school: request.school })).filter((session) => session.role === 'guest');
      for (const session of sessions) await deps.disconnect(session, 'the guest approval ended', ACTOR);
      const forgotten = await deps.devices.forgetGuest(request.mac, ACTOR, request.school);
      deps.log.info({ id, school: request.school, mac: request.mac, sessions: sessions.length, forgotten }, 'guest: approval ended');
    }
    await deps.guests.dropEnded(id);
  }
  return ended.length;
}

export function startGuestSweeper(deps: GuestSweeperDeps): () => void {
  const timer = setInterval(() => {
    sweepGuests(deps).catch((error: unknown) => deps.log.warn({ err: error }, 'guest sweep failed'));
  }, GUEST_SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
