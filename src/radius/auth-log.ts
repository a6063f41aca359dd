// The authentication log: one info line per Access-Request decision (accept, reject, drop), the
// way FreeRADIUS's auth log reads, with structured fields for jq (docs/operations.md). Never a
// password: only User-Name, the device MAC and what the handler decided.
import type { Logger } from 'pino';
import { parseMac } from '../store/mac.js';
import type { NasClient } from '../store/nas.js';
import { Attr, Code, type Frame } from './packet.js';
import type { LoginOutcome } from '../store/stats.js';
import type { AuthRecord, Handler } from './handlers/types.js';

export type Outcome = 'accept' | 'reject' | 'drop';

/** Unknown NAS addresses remembered per minute: a spoofed flood cannot grow it past this. */
const UNKNOWN_NAS_LIMIT = 10_000;
const MINUTE_MS = 60_000;

function attributeText(frame: Frame, type: number): string | undefined {
  return frame.attributes.find((attribute) => attribute.type === type)?.value.toString('utf8');
}

/** What the request itself says, for decisions a handler did not describe (drops before it). */
function fromRequest(frame: Frame | undefined): Omit<AuthRecord, 'reason'> {
  if (!frame || frame.code !== Code.AccessRequest) return {};
  const calling = attributeText(frame, Attr.CallingStationId);
  return { user: attributeText(frame, Attr.UserName), mac: parseMac(calling) ?? calling };
}

export function createAuthLog(log: Logger, now: () => number = Date.now) {
  let unknownSeen = new Set<string>();
  let windowStart = now();

  return {
    /** One line for an Access-Request decision; the handler's record wins over the request's. */
    decision(outcome: Outcome, frame: Frame | undefined, nas: NasClient | undefined, peer: string, record: AuthRecord, detail?: Record<string, unknown>): void {
      const school = record.school ?? nas?.school;
      log.info({
        event: 'auth', outcome, ...fromRequest(frame), ...definedOnly(record),
        nas: nas?.address, peer, ...(school ? { school } : {}), ...detail,
      }, `radius auth ${outcome}: ${record.message ?? record.reason}`);
    },
    /** A packet from an address no NAS covers: at most one warning per address per minute. */
    unknownNas(address: string): void {
      if (now() - windowStart >= MINUTE_MS) {
        unknownSeen = new Set();
        windowStart = now();
      }
      if (unknownSeen.has(address) || unknownSeen.size >= UNKNOWN_NAS_LIMIT) return;
      unknownSeen.add(address);
      log.warn({ event: 'unknown-nas', peer: address }, 'radius request from an unknown NAS dropped (further ones from this address this minute are only counted)');
    },
  };
}

/** Wrong or unknown credentials: the dashboard's failed logins. A MAC-auth miss (a new device) is no login attempt. */
const FAILED_REASONS = new Set(['bad-password', 'unknown-user', 'invalid-username', 'rate-limited', 'malformed-password', 'bad-token-password', 'unknown-token', 'token-used', 'token-other-device']);
const NOT_A_LOGIN = new Set(['unknown-device']);

/** How the dashboard counts a decision (stats.ts), or undefined when it is not a login at all. */
export function loginOutcome(accepted: boolean, record: AuthRecord): LoginOutcome | undefined {
  if (accepted) return 'accept';
  if (FAILED_REASONS.has(record.reason)) return 'failed';
  return NOT_A_LOGIN.has(record.reason) ? undefined : 'refuse';
}

/** The access handler with each decision counted for the dashboard (`count` only tallies in memory). */
export function countingDecisions(handler: Handler, count: (outcome: LoginOutcome, record: AuthRecord, nas: NasClient) => void): Handler {
  return async (context) => {
    const reply = await handler(context);
    if (reply && 'code' in reply && reply.log) {
      const outcome = loginOutcome(reply.code === Code.AccessAccept, reply.log);
      if (outcome) count(outcome, reply.log, context.nas);
    }
    return reply;
  };
}

function definedOnly(record: AuthRecord): AuthRecord {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as AuthRecord;
}

export type AuthLog = ReturnType<typeof createAuthLog>;
