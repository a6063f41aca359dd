import type { EncodableAttribute } from 'radius';
import type { NasClient } from '../../store/nas.js';
import type { RadiusRequest } from '../../radius-wire/request.js';

export type ListenerName = 'auth' | 'acct';

export interface RequestContext {
  request: RadiusRequest;
  nas: NasClient;
  listener: ListenerName;
  /** The source of the request: a NAS in a CIDR block is reached back at this address. */
  peer: { address: string; port: number };
}

/**
 * What the authentication log says about a decision, beside the outcome, NAS and peer the
 * transport adds. Never a password. `reason` is a short code (docs/operations.md lists them).
 */
export interface AuthRecord {
  reason: string;
  /** The same words the user was given (Reply-Message), when there were any. */
  message?: string | undefined;
  user?: string | undefined;
  mac?: string | undefined;
  method?: string | undefined;
  role?: string | undefined;
  school?: string | undefined;
}

export interface Reply {
  code: number;
  attributes: EncodableAttribute[];
  /** Logged once by the transport when the reply leaves (Access-Request decisions). */
  log?: AuthRecord;
}

/** No answer, on purpose: the NAS retries or fails over. The reason is counted and logged. */
export interface Drop {
  drop: string;
  log?: AuthRecord;
}

/** The reply, a Drop, or undefined to send none (counted as 'no-reply'). */
export type Answer = Reply | Drop | undefined;

/**
 * Answers at once when it has the answer at hand (the transport then replies within the
 * datagram's own event, no promise made), else with a promise of it.
 */
export type Handler = (context: RequestContext) => Answer | Promise<Answer>;
