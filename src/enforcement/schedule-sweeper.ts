// Ends sessions whose role's schedule window has closed (Session-Timeout already ends most of
// them; this catches sessions that began before a schedule was set or changed). Once a minute,
// by whichever instance takes the Redis lock first, so instances do not repeat each other.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { secondsLeftInSchedule } from '../policy/schedule.js';
import { keys } from '../store/keys.js';
import type { PolicyCache } from '../store/policy-cache.js';
import type { SchoolDirectory } from '../store/school-directory.js';
import type { Session, SessionStore } from '../store/sessions.js';

export const SWEEP_INTERVAL_MS = 60_000;

export interface SweeperDeps {
  redis: Pick<Redis, 'set'>;
  sessions: Pick<SessionStore, 'each'>;
  policies: PolicyCache;
  schools: Pick<SchoolDirectory, 'timeZone'>;
  disconnect: (session: Session, reason: string) => Promise<unknown>;
  log: Pick<Logger, 'warn'>;
  now?: () => number;
}

/** One sweep; returns how many sessions were ended (0 when another instance holds the lock). */
export async function sweepSchedules(deps: SweeperDeps): Promise<number> {
  if ((await deps.redis.set(keys.scheduleSweepLock, String(process.pid), 'PX', SWEEP_INTERVAL_MS - 5000, 'NX')) !== 'OK') return 0;
  const now = (deps.now ?? Date.now)();
  let ended = 0;
  // A page of sessions at a time: tens of thousands are never all in memory.
  for await (const page of deps.sessions.each()) {
    for (const session of page) {
      if (!session.role) continue;
      const policy = await deps.policies.effective(session.role, session.school);
      if (secondsLeftInSchedule(policy.schedule, now, deps.schools.timeZone(session.school)) !== 0) continue;
      await deps.disconnect(session, 'the schedule window closed');
      ended++;
    }
  }
  return ended;
}

export function startScheduleSweeper(deps: SweeperDeps): () => void {
  const timer = setInterval(() => {
    sweepSchedules(deps).catch((error: unknown) => deps.log.warn({ err: error }, 'schedule sweep failed'));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
