// Accounting-Request (RFC 2866): keeps the live session table. Recorded for every known NAS,
// also for logins Mektep did not authenticate (a NAS reports what it sees), but charged to a
// person — usage, device count, quota — only with a Class this NAS was issued (or the login its
// session was started with): another school's NAS cannot spend someone's allowance. The
// Accounting-Response goes out only after Redis acknowledged the write.
import type { Logger } from 'pino';
import { quotaState, REJECT_MESSAGES } from '../../policy/decide.js';
import { usagePeriods } from '../../policy/periods.js';
import type { PolicyCache } from '../../store/policy-cache.js';
import type { SchoolDirectory } from '../../store/school-directory.js';
import { SessionNamesChanged } from '../../store/session-scripts.js';
import { parseMac } from '../../store/mac.js';
import { textOfBytes } from '../../store/session-wire.js';
import { sessionKeyId, type AccountingRecord, type Session, type SessionStore } from '../../store/sessions.js';
import type { ClassSigner, LoginClass } from '../../radius-wire/class-attribute.js';
import { Attr, Code } from '../../radius-wire/packet.js';
import type { RadiusRequest } from '../../radius-wire/request.js';
import type { Answer, Handler, RequestContext } from './types.js';

const STATUS: Record<number, 'start' | 'stop' | 'interim' | 'on' | 'off'> = { 1: 'start', 2: 'stop', 3: 'interim', 7: 'on', 8: 'off' };
const TERMINATE_CAUSES: Record<number, string> = {
  1: 'User-Request', 2: 'Lost-Carrier', 3: 'Lost-Service', 4: 'Idle-Timeout', 5: 'Session-Timeout', 6: 'Admin-Reset',
  7: 'Admin-Reboot', 8: 'Port-Error', 9: 'NAS-Error', 10: 'NAS-Request', 11: 'NAS-Reboot', 15: 'Service-Unavailable',
};
/** RFC 2866 §5.2: seconds the NAS has been trying to send this record. */
const ACCT_DELAY_TIME = 41;

/** Octets = Gigawords · 2^32 + Octets (RFC 2869 §5.1). */
function octets(request: RadiusRequest, low: number, high: number): number {
  return (request.integer(high) ?? 0) * 2 ** 32 + (request.integer(low) ?? 0);
}

/** An attribute as the NAS sent it, in the form the session table keeps (session-wire.ts). */
function wire(request: RadiusRequest, type: number): string | undefined {
  const value = request.raw(type);
  return value === undefined ? undefined : textOfBytes(value);
}

interface Login {
  user?: string | undefined;
  role?: string | undefined;
  school?: string | undefined;
}

export interface AccountingDependencies {
  sessions: Pick<SessionStore, 'record' | 'closeAccessPoint' | 'get'>;
  classes: Pick<ClassSigner, 'verify'>;
  schools: Pick<SchoolDirectory, 'timeZone'>;
  policies: PolicyCache;
  /**
   * False when the write is not yet held by the replicas REDIS_WAIT_REPLICAS asks for: the record
   * is then left unanswered, so the NAS resends it rather than trust a write a failover may lose.
   */
  replicated?: () => Promise<boolean>;
  /**
   * True for the one instance that may end this session for its quota now (a record retransmitted
   * to both RADIUS servers reaches two instances); ending it again is left to a later record.
   */
  claimQuotaEnd?: (sessionKey: string) => Promise<boolean>;
  /** Ends a session whose quota the new counters used up; runs after the reply. */
  quotaReached: (session: Session, message: string) => void;
  log: Logger;
  now: () => number;
}

/** Verified Classes remembered per process: a session's NAS sends the same one every few minutes. */
export const MAX_VERIFIED_CLASSES = 100_000;

/**
 * Class verification, remembered: the HMAC-SHA-256 was an Interim-Update's largest single cost.
 * A verdict depends only on the bytes, the NAS record and the key, so it never goes stale. Only
 * Classes that verified are kept (a flood of forged ones costs signatures, not memory), bounded.
 */
export function rememberedVerifications(classes: Pick<ClassSigner, 'verify'>, max = MAX_VERIFIED_CLASSES): Pick<ClassSigner, 'verify'> {
  const verified = new Map<string, LoginClass>();
  return {
    verify(value, issuer) {
      if (!value) return undefined;
      const key = `${issuer} ${value.toString('latin1')}`;
      let login = verified.get(key);
      if (login === undefined) {
        login = classes.verify(value, issuer);
        if (login === undefined) return undefined;
        if (verified.size >= max) verified.delete(verified.keys().next().value!);
        verified.set(key, login);
      }
      return login;
    },
  };
}

export function createAccountingHandler({ sessions, classes: signer, schools, policies, replicated, claimQuotaEnd, quotaReached, log, now }: AccountingDependencies): Handler {
  const classes = rememberedVerifications(signer);
  /**
   * Accounting-On/Off: the sender restarted. Scoped to the access point that sent it (its address
   * within a CIDR NAS record, and its NAS-Identifier when sent), and to sessions not updated since
   * the restart: a copy retransmitted late (Acct-Delay-Time) leaves the sessions begun since.
   */
  async function restarted({ request, nas, peer }: RequestContext, status: 'on' | 'off'): Promise<void> {
    const nasIdentifier = wire(request, Attr.NasIdentifier);
    const cutoff = now() - (request.integer(ACCT_DELAY_TIME) ?? 0) * 1000;
    const { closed, joined } = await sessions.closeAccessPoint({ nas: nas.address, ap: peer.address, nasIdentifier }, cutoff, status === 'on' ? 'NAS-Reboot' : 'NAS-Request');
    log.info({ event: 'accounting-restart', nas: nas.address, ap: peer.address, nasIdentifier, status, closed, joined },
      joined ? 'accounting on/off: answered with the close already running for this access point' : 'accounting on/off: sessions of the access point closed');
  }

  /** Who the record is charged to: a Class issued to this NAS, else the login its session began with. */
  async function loginOf({ request, nas, peer }: RequestContext, sessionId: string): Promise<Login> {
    const presented = request.raw(Attr.Class);
    const verified = classes.verify(presented, nas.address);
    if (verified) return { ...(verified.kind === 'user' ? { user: verified.subject } : {}), role: verified.role, school: verified.school };
    if (presented) log.info({ event: 'accounting-class-refused', nas: nas.address, ap: peer.address, sessionId }, 'accounting: Class not issued to this NAS; not used');
    // The session id belongs to this NAS (and AP): its stored login was verified when stored.
    const stored = await sessions.get(nas.address, sessionId, peer.address);
    return stored ? { user: stored.user, role: stored.role, school: stored.school } : {};
  }

  const handle = async (context: RequestContext): Promise<Answer> => {
    const { request, nas, peer } = context;
    const reply = { code: Code.AccountingResponse, attributes: [] };
    const status = STATUS[request.integer(Attr.AcctStatusType) ?? 0];
    if (status === 'on' || status === 'off') {
      await restarted(context, status);
      if (replicated && !(await replicated())) return { drop: 'redis-not-replicated' };
      return reply;
    }
    const sessionId = wire(request, Attr.AcctSessionId);
    if (!status || !sessionId) {
      // Answered anyway: a NAS that gets no answer resends the same record forever.
      log.warn({ nas: nas.address, status: request.integer(Attr.AcctStatusType), sessionId }, 'accounting record without a usable status or Acct-Session-Id');
      return reply;
    }
    const login = await loginOf(context, sessionId);
    const callingStationId = wire(request, Attr.CallingStationId);
    const cause = request.integer(Attr.AcctTerminateCause);
    const school = login.school ?? nas.school;
    const at = now();
    const record: AccountingRecord = {
      nas: nas.address,
      nasIp: peer.address,
      nasIdentifier: wire(request, Attr.NasIdentifier),
      nasIpAddress: request.ipv4(Attr.NasIpAddress),
      callingStationId,
      userName: wire(request, Attr.UserName),
      sessionId,
      status,
      user: login.user,
      role: login.role,
      school,
      mac: parseMac(callingStationId),
      ip: request.ipv4(Attr.FramedIpAddress),
      nasPort: request.integer(Attr.NasPort),
      inOctets: octets(request, Attr.AcctInputOctets, Attr.AcctInputGigawords),
      outOctets: octets(request, Attr.AcctOutputOctets, Attr.AcctOutputGigawords),
      sessionTime: request.integer(Attr.AcctSessionTime),
      terminateCause: cause === undefined ? undefined : (TERMINATE_CAUSES[cause] ?? String(cause)),
      ...(login.user ? { periods: usagePeriods(at, schools.timeZone(school)) } : {}),
    };
    const usage = await sessions.record(record, at);
    if (replicated && !(await replicated())) return { drop: 'redis-not-replicated' };
    // `user forget` ran (store/forget.ts): recorded naming no one; the log line names no one either.
    if (usage.forgotten) log.info({ event: 'accounting-forgotten', nas: nas.address, ap: peer.address, sessionId, status }, 'accounting: the person was forgotten; recorded charged to nobody');
    else if (status !== 'stop' && login.user && login.role) {
      // Quota reached, seen in an Interim-Update: the session ends now, the next login is refused.
      const quota = quotaState(await policies.effective(login.role, school), usage);
      const id = sessionKeyId(nas.address, sessionId, peer.address);
      if ('over' in quota && (!claimQuotaEnd || (await claimQuotaEnd(id)))) quotaReached({ id, ...record, startedAt: '', updatedAt: '' }, REJECT_MESSAGES[quota.over]);
      else if ('over' in quota) log.info({ event: 'quota-end-claimed', nas: nas.address, sessionId }, 'quota reached: the session is being ended by another instance');
    }
    return reply;
  };
  // A session whose stored index names changed on every attempt (session-scripts.ts): nothing
  // was written, so nothing is answered; the NAS resends, and the drop is counted and logged.
  return (context) => handle(context).catch((error: unknown) => {
    if (error instanceof SessionNamesChanged) return { drop: 'session-names-changed' };
    throw error;
  });
}
