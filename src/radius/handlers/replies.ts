// The Access-Accept and Access-Reject replies every login method ends in, with the record the
// authentication log prints beside them (reason codes in docs/operations.md).
import type { EncodableAttribute } from 'radius';
import type { Admission } from '../../enforcement/admission.js';
import { Code } from '../../radius-wire/packet.js';
import type { AuthRecord, Reply } from './types.js';

export type Who = Omit<AuthRecord, 'reason'>;

/** An Access-Reject telling the user why, with the reason code the authentication log prints. */
export function reject(reason: string, message: string, who: Who = {}): Reply {
  return { code: Code.AccessReject, attributes: [['Reply-Message', message]], log: { ...who, reason, message } };
}

/**
 * The reply to an admission. `log` is the record so far (who, the method and device when the
 * caller knows them), completed here rather than copied: this runs for every accept.
 */
export function admissionReply({ decision, attributes }: Admission, log: AuthRecord, extra: EncodableAttribute[] | undefined, evict: (sessionIds: string[]) => void): Reply {
  if (!decision.accept) {
    log.reason = decision.reason;
    log.message = decision.message;
    return { code: Code.AccessReject, attributes: [['Reply-Message', decision.message]], log };
  }
  if (decision.evict.length > 0) evict(decision.evict.map((session) => session.id));
  log.reason = 'ok';
  return { code: Code.AccessAccept, attributes: extra ? [...attributes, ...extra] : attributes, log };
}
