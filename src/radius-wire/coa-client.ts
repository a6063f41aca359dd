// RFC 5176 client: Disconnect-Request and CoA-Request to a NAS's dynamic-authorization port,
// signed with Message-Authenticator, retried on silence, and answered only by an ACK or NAK
// whose Response Authenticator (and Message-Authenticator, when present) verifies.
import { createSocket, type Socket } from 'node:dgram';
import type { EncodableAttribute } from 'radius';
import { Attr, Code, encodeSignedRequest, parseFrame, replyMessageAuthenticatorValid, responseAuthenticatorValid } from './packet.js';
import { RadiusRequest } from './request.js';

export interface CoaTarget {
  ip: string;
  port: number;
  secret: string;
}

export interface CoaResult {
  ok: boolean;
  /** 'ack', 'nak' or 'timeout'. */
  outcome: 'ack' | 'nak' | 'timeout';
  /** Error-Cause of a NAK (RFC 5176 §3.5), e.g. 503 Session-Context-Not-Found. */
  errorCause?: number;
}

export const ERROR_CAUSES: Record<number, string> = {
  201: 'Residual-Session-Context-Removed', 202: 'Invalid-EAP-Packet', 401: 'Unsupported-Attribute', 402: 'Missing-Attribute',
  403: 'NAS-Identification-Mismatch', 404: 'Invalid-Request', 405: 'Unsupported-Service', 406: 'Unsupported-Extension',
  407: 'Invalid-Attribute-Value', 501: 'Administratively-Prohibited', 502: 'Request-Not-Routable',
  503: 'Session-Context-Not-Found', 504: 'Session-Context-Not-Removable', 505: 'Other-Proxy-Processing-Error',
  506: 'Resources-Unavailable', 507: 'Request-Initiated', 508: 'Multiple-Session-Selection-Unsupported',
};

interface Pending {
  target: CoaTarget;
  authenticator: Buffer;
  ackCode: number;
  resolve(result: CoaResult): void;
}

export interface CoaClientOptions {
  timeoutMs?: number;
  attempts?: number;
  /** Local address to send from (tests bind loopback). */
  bindAddress?: string;
}

export function createCoaClient(options: CoaClientOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 1000;
  const attempts = options.attempts ?? 3;
  const pending = new Map<string, Pending>();
  const nextId = new Map<string, number>();

  function onMessage(message: Buffer, peer: { address: string; port: number }): void {
    const frame = parseFrame(message);
    if (typeof frame === 'string') return;
    const key = `${peer.address}|${peer.port}|${frame.identifier}`;
    const waiting = pending.get(key);
    if (!waiting || !responseAuthenticatorValid(frame, waiting.authenticator, waiting.target.secret)) return;
    if (frame.maOffset >= 0 && !replyMessageAuthenticatorValid(frame, waiting.authenticator, waiting.target.secret)) return;
    pending.delete(key);
    if (frame.code === waiting.ackCode) return waiting.resolve({ ok: true, outcome: 'ack' });
    const cause = new RadiusRequest(frame).integer(Attr.ErrorCause);
    waiting.resolve({ ok: false, outcome: 'nak', ...(cause === undefined ? {} : { errorCause: cause }) });
  }

  // One socket for every request: parallel sends share the bind in progress (two binds raced
  // and close() saw only the last socket, which kept the CLI from exiting).
  let opening: Promise<Socket> | undefined;

  function open(): Promise<Socket> {
    opening ??= new Promise<Socket>((resolve) => {
      const created = createSocket('udp4');
      created.on('message', onMessage);
      created.on('error', () => undefined);
      created.bind(0, options.bindAddress, () => resolve(created));
    });
    return opening;
  }

  function identifier(target: CoaTarget): number {
    const base = `${target.ip}|${target.port}`;
    for (let tries = 0; tries < 256; tries++) {
      const id = ((nextId.get(base) ?? Math.floor(Math.random() * 256)) + 1) % 256;
      nextId.set(base, id);
      if (!pending.has(`${base}|${id}`)) return id;
    }
    throw new Error(`256 requests already waiting for ${base}`);
  }

  async function send(kind: 'disconnect' | 'coa', target: CoaTarget, attributes: EncodableAttribute[]): Promise<CoaResult> {
    const udp = await open();
    const id = identifier(target);
    const code = kind === 'disconnect' ? Code.DisconnectRequest : Code.CoaRequest;
    // RFC 5176 §3: Event-Timestamp protects against replay; hostapd requires it by default.
    const packet = encodeSignedRequest(code, id, [...attributes, ['Event-Timestamp', new Date()]], target.secret);
    const key = `${target.ip}|${target.port}|${id}`;
    return new Promise<CoaResult>((resolve) => {
      let tries = 0;
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: CoaResult) => {
        clearTimeout(timer);
        pending.delete(key);
        resolve(result);
      };
      pending.set(key, { target, authenticator: packet.subarray(4, 20), ackCode: code + 1, resolve: finish });
      const attempt = () => {
        if (tries++ >= attempts) return finish({ ok: false, outcome: 'timeout' });
        try {
          udp.send(packet, target.port, target.ip);
        } catch {
          // The socket was closed while this request waited for it: nothing went out.
          return finish({ ok: false, outcome: 'timeout' });
        }
        timer = setTimeout(attempt, timeoutMs * 2 ** (tries - 1));
      };
      attempt();
    });
  }

  return {
    disconnect: (target: CoaTarget, attributes: EncodableAttribute[]) => send('disconnect', target, attributes),
    coa: (target: CoaTarget, attributes: EncodableAttribute[]) => send('coa', target, attributes),
    close() {
      for (const waiting of pending.values()) waiting.resolve({ ok: false, outcome: 'timeout' });
      pending.clear();
      const closing = opening;
      opening = undefined;
      void closing?.then((socket) => socket.close());
    },
  };
}

export type CoaClient = ReturnType<typeof createCoaClient>;
