// The authentication log: one info line per Access-Request decision (accept, reject, drop), the
// way FreeRADIUS's auth log reads, with structured fields for jq (docs/operations.md). Never a
// password: only User-Name, the device MAC and what the handler decided.
import type { Logger } from 'pino';
import { parseMac } from '../store/mac.js';
import type { NasClient } from '../store/nas.js';
import { Attr, Code, type Frame } from '../radius-wire/packet.js';
import type { LoginOutcome } from '../store/stats.js';
import type { Answer, AuthRecord, Handler } from './handlers/types.js';

export type Outcome = 'accept' | 'reject' | 'drop';

/** Unknown NAS addresses remembered per minute: a spoofed flood cannot grow it past this. */
const UNKNOWN_NAS_LIMIT = 10_000;
const MINUTE_MS = 60_000;

function attributeText(frame: Frame, type: number): string | undefined {
  return frame.attributes.find((attribute) => attribute.type === type)?.value.toString('utf8');
}

/** The line's fields: what the request says (User-Name, the device), unless the handler's record says it. */
function fields(outcome: Outcome, frame: Frame | undefined, record: AuthRecord): Record<string, unknown> {
  const line: Record<string, unknown> = { outcome };
  if (frame?.code === Code.AccessRequest) {
    line.user = attributeText(frame, Attr.UserName);
    if (record.mac === undefined) {
      const calling = attributeText(frame, Attr.CallingStationId);
      line.mac = parseMac(calling) ?? calling;
    }
  }
  // A plain loop rather than Object.entries: this runs for every Access-Request.
  for (const name in record) {
    const value = record[name as keyof AuthRecord];
    if (value !== undefined) line[name] = value;
  }
  return line;
}

export function createAuthLog(log: Logger, now: () => number = Date.now) {
  // A line per Access-Request is required and must stay cheap. Its fields are fixed here and
  // name no secret, so the logger's redaction by key (fast-redact: half of a line's ~5 µs)
  // has nothing to do on it and is left out; 'event' is bound once.
  const lines = log.child({ event: 'auth' }, { redact: { paths: [] } });
  let unknownSeen = new Set<string>();
  let windowStart = now();

  return {
    /** One line for an Access-Request decision; the handler's record wins over the request's. */
    decision(outcome: Outcome, frame: Frame | undefined, nas: NasClient | undefined, peer: string, record: AuthRecord, detail?: Record<string, unknown>): void {
      const line = fields(outcome, frame, record);
      line.nas = nas?.address;
      line.peer = peer;
      const school = record.school ?? nas?.school;
      if (school) line.school = school;
      lines.info(detail ? Object.assign(line, detail) : line, `radius auth ${outcome}: ${record.message ?? record.reason}`);
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
  const counted = (reply: Answer, nas: NasClient): Answer => {
    if (reply && 'code' in reply && reply.log) {
      const outcome = loginOutcome(reply.code === Code.AccessAccept, reply.log);
      if (outcome) count(outcome, reply.log, nas);
    }
    return reply;
  };
  // An answer at hand stays at hand: the transport then replies without a promise.
  return (context) => {
    const reply = handler(context);
    return reply instanceof Promise ? reply.then((late) => counted(late, context.nas)) : counted(reply, context.nas);
  };
}

export type AuthLog = ReturnType<typeof createAuthLog>;
