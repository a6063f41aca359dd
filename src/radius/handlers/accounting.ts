// Accounting-Request (RFC 2866): keeps the live session table. Recorded for every known NAS,
// also for logins Mektep did not authenticate (a NAS reports what it sees); the
// Accounting-Response goes out only after Redis acknowledged the write.
import type { Logger } from 'pino';
import { parseMac } from '../../store/mac.js';
import { quotaState, REJECT_MESSAGES } from '../../policy/decide.js';
import { usagePeriods } from '../../policy/periods.js';
import type { PolicyCache } from '../../store/policy-cache.js';
import type { SchoolDirectory } from '../../store/school-directory.js';
import { sessionKeyId, type Session, type SessionStore } from '../../store/sessions.js';
import { parseClass } from '../class-attribute.js';
import { Attr, Code } from '../packet.js';
import type { RadiusRequest } from '../request.js';
import type { Handler } from './types.js';

const STATUS: Record<number, 'start' | 'stop' | 'interim' | 'on' | 'off'> = { 1: 'start', 2: 'stop', 3: 'interim', 7: 'on', 8: 'off' };
const TERMINATE_CAUSES: Record<number, string> = {
  1: 'User-Request', 2: 'Lost-Carrier', 3: 'Lost-Service', 4: 'Idle-Timeout', 5: 'Session-Timeout', 6: 'Admin-Reset',
  7: 'Admin-Reboot', 8: 'Port-Error', 9: 'NAS-Error', 10: 'NAS-Request', 11: 'NAS-Reboot', 15: 'Service-Unavailable',
};

/** Octets = Gigawords · 2^32 + Octets (RFC 2869 §5.1). */
function octets(request: RadiusRequest, low: number, high: number): number {
  return (request.integer(high) ?? 0) * 2 ** 32 + (request.integer(low) ?? 0);
}

export interface AccountingDependencies {
  sessions: Pick<SessionStore, 'record' | 'closeAllOfNas'>;
  schools: Pick<SchoolDirectory, 'timeZone'>;
  policies: PolicyCache;
  /** Ends a session whose quota the new counters used up; runs after the reply. */
  quotaReached: (session: Session, message: string) => void;
  log: Logger;
  now: () => number;
}

export function createAccountingHandler({ sessions, schools, policies, quotaReached, log, now }: AccountingDependencies): Handler {
  return async ({ request, nas, peer }) => {
    const reply = { code: Code.AccountingResponse, attributes: [] };
    const status = STATUS[request.integer(Attr.AcctStatusType) ?? 0];
    if (status === 'on' || status === 'off') {
      const closed = await sessions.closeAllOfNas(nas.address, status === 'on' ? 'NAS-Reboot' : 'NAS-Request');
      log.info({ nas: nas.address, status, closed }, 'accounting on/off: sessions of the NAS closed');
      return reply;
    }
    const sessionId = request.string(Attr.AcctSessionId);
    if (!status || !sessionId) {
      // Answered anyway: a NAS that gets no answer resends the same record forever.
      log.warn({ nas: nas.address, status: request.integer(Attr.AcctStatusType), sessionId }, 'accounting record without a usable status or Acct-Session-Id');
      return reply;
    }
    const login = parseClass(request.raw(Attr.Class));
    const userName = request.string(Attr.UserName);
    const callingStationId = request.string(Attr.CallingStationId);
    const cause = request.integer(Attr.AcctTerminateCause);
    const school = login?.school ?? nas.school;
    const timeZone = schools.timeZone(school);
    const user = login?.kind === 'user' ? login.subject : userName?.toLowerCase();
    const at = now();
    const record = {
      nas: nas.address,
      nasIp: peer.address,
      nasIpAddress: request.ipv4(Attr.NasIpAddress),
      callingStationId,
      sessionId,
      status,
      user,
      role: login?.role,
      school,
      mac: parseMac(callingStationId),
      ip: request.ipv4(Attr.FramedIpAddress),
      nasPort: request.integer(Attr.NasPort),
      inOctets: octets(request, Attr.AcctInputOctets, Attr.AcctInputGigawords),
      outOctets: octets(request, Attr.AcctOutputOctets, Attr.AcctOutputGigawords),
      sessionTime: request.integer(Attr.AcctSessionTime),
      terminateCause: cause === undefined ? undefined : (TERMINATE_CAUSES[cause] ?? String(cause)),
      ...(user ? { periods: usagePeriods(at, timeZone) } : {}),
    };
    const usage = await sessions.record(record, at);
    if (status !== 'stop' && login?.kind === 'user') {
      // Quota reached, seen in an Interim-Update: the session ends now, the next login is refused.
      const quota = quotaState(await policies.effective(login.role, school), usage);
      if ('over' in quota) quotaReached({ id: sessionKeyId(nas.address, sessionId), ...record, startedAt: '', updatedAt: '' }, REJECT_MESSAGES[quota.over]);
    }
    return reply;
  };
}
