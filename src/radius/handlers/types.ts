import type { EncodableAttribute } from 'radius';
import type { NasClient } from '../../store/nas.js';
import type { RadiusRequest } from '../request.js';

export type ListenerName = 'auth' | 'acct';

export interface RequestContext {
  request: RadiusRequest;
  nas: NasClient;
  listener: ListenerName;
  /** The source of the request: a NAS in a CIDR block is reached back at this address. */
  peer: { address: string; port: number };
}

export interface Reply {
  code: number;
  attributes: EncodableAttribute[];
}

/** Returns the reply, or undefined to send none (the NAS then retries or fails over). */
export type Handler = (context: RequestContext) => Promise<Reply | undefined>;
