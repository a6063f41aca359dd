// From datagram to reply: NAS lookup by source address, framing, authenticators and
// Message-Authenticator rules (BlastRADIUS), the RFC 5080 duplicate cache, dispatch, reply
// signing and the Access-Reject delay. Whatever arrives, nothing here throws to the socket:
// a packet is answered or dropped with a counted reason, and every Access-Request decision
// leaves one line in the authentication log (auth-log.ts).
import { createHash } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { NasClient } from '../store/nas.js';
import type { NasDirectory } from '../store/nas-directory.js';
import { redisFailure } from '../redis/connection.js';
import { unmapIp } from '../store/address.js';
import { DUPLICATE_WINDOW_MS } from '../store/keys.js';
import { createAuthLog } from './auth-log.js';
import { createDuplicateCache, entryFor, sameAuthenticator, slotOf, type CacheEntry } from './duplicate-cache.js';
import {
  Attr, Code, CODE_NAMES, encodeReply, hasSignedRequestAuthenticator, messageAuthenticatorValid, parseFrame, requestAuthenticatorValid, type Frame,
} from '../radius-wire/packet.js';
import { RadiusRequest } from '../radius-wire/request.js';
import type { Answer, AuthRecord, Handler, ListenerName, Reply } from './handlers/types.js';

export const DEFAULT_REJECT_DELAY_MS = 1000;
const MAX_CACHED = 200_000;
/** Counted, but not logged at info: no decision was taken (an answer is on its way or was sent). */
const QUIET_DROPS = new Set(['duplicate-in-progress', 'duplicate-answered-from-cache', 'unknown-nas']);

const ACCEPTED_CODES: Record<ListenerName, number[]> = {
  auth: [Code.AccessRequest, Code.StatusServer],
  acct: [Code.AccountingRequest, Code.StatusServer],
};

export interface TransportOptions {
  directory: Pick<NasDirectory, 'find'>;
  handlers: Partial<Record<number, Handler>>;
  /** The app's counters (plugins/metrics.ts), by the names it gives them. */
  metrics: Record<'radiusPackets' | 'radiusDropped' | 'radiusReplies', Counter>;
  log: Logger;
  rejectDelayMs?: (nas: NasClient) => number;
  /**
   * An answer ready later than this is dropped ('too-late'): by then the NAS has retransmitted
   * (and that copy is handled afresh) or failed over, and a late answer only confuses it.
   */
  answerWithinMs?: number;
}

interface DropContext {
  nas?: NasClient;
  frame?: Frame;
  record?: AuthRecord | undefined;
  detail?: Record<string, unknown>;
}

/** Why a request must be dropped before any handler sees it, or undefined when it may pass. */
function authenticityProblem(frame: Frame, nas: NasClient): string | undefined {
  if (hasSignedRequestAuthenticator(frame.code)) {
    if (!requestAuthenticatorValid(frame, nas.secret)) return 'bad-authenticator';
    // RFC 2866 needs no Message-Authenticator in accounting, but one that is present must be right.
    if (frame.maOffset >= 0 && !messageAuthenticatorValid(frame, nas.secret)) return 'bad-message-authenticator';
    return undefined;
  }
  if (frame.maOffset >= 0) return messageAuthenticatorValid(frame, nas.secret) ? undefined : 'bad-message-authenticator';
  // BlastRADIUS (CVE-2024-3596): without a Message-Authenticator an Access-Request can be forged.
  if (frame.code === Code.StatusServer) return 'missing-message-authenticator';
  if (nas.requireMessageAuthenticator) return 'missing-message-authenticator';
  const types = new Set(frame.attributes.map((attribute) => attribute.type));
  if (types.has(Attr.EapMessage)) return 'missing-message-authenticator';
  if (types.has(Attr.ProxyState)) return 'proxy-state-without-message-authenticator';
  return undefined;
}

/**
 * One Access-Request and its retransmissions, wherever they land: the cache below is per process,
 * so a copy reaching another worker (WORKERS > 1 shares the socket) or instance is handled
 * afresh there. Decisions that change state (a token consumed, a failed attempt counted) record
 * this identity in Redis in the same script (store/tokens.ts, store/attempts.ts), so the copy
 * gets the first one's decision. A retransmission is the same datagram (RFC 2866 §3: the
 * Identifier changes whenever the attributes do), so the identity is a digest of all its bytes
 * and its source address: a NAS that keeps Identifier and Authenticator and changes a password
 * or a Calling-Station-Id sends a new request. The Message-Authenticator is among the bytes,
 * which changes nothing: it is an HMAC of the rest. The source port is left out: a NAS failing
 * over to the other instance may send from another socket.
 */
export function requestIdentity(address: string, frame: Pick<Frame, 'packet'>): string {
  return createHash('sha256').update(address).update('|').update(frame.packet).digest('base64url');
}

interface Inc {
  inc(): void;
}

/** A counter's child per label value, resolved once (prom-client hashes a label object per call). */
function childrenOf(resolve: (label: string) => Inc): (label: string) => Inc {
  const children = new Map<string, Inc>();
  return (label) => {
    let child = children.get(label);
    if (!child) children.set(label, (child = resolve(label)));
    return child;
  };
}

/** The same, by packet code (a byte): an array lookup, no text. */
function childrenByCode(resolve: (name: string) => Inc): (code: number) => Inc {
  const children: Inc[] = [];
  return (code) => (children[code] ??= resolve(CODE_NAMES[code] ?? 'unknown'));
}

/** The request's Proxy-State values in order (RFC 2865 §5.33), or undefined without any: most requests carry none. */
function proxyStatesOf(frame: Frame): Buffer[] | undefined {
  let values: Buffer[] | undefined;
  for (const attribute of frame.attributes) if (attribute.type === Attr.ProxyState) (values ??= []).push(attribute.value);
  return values;
}

export function createTransport(options: TransportOptions) {
  const { directory, handlers, metrics, log } = options;
  const rejectDelay = options.rejectDelayMs ?? (() => DEFAULT_REJECT_DELAY_MS);
  const answerWithin = options.answerWithinMs ?? DUPLICATE_WINDOW_MS;
  const authLog = createAuthLog(log);
  const cache = createDuplicateCache(MAX_CACHED);
  const timers = new Set<NodeJS.Timeout>();

  const sweeper = setInterval(() => cache.sweep(Date.now()), 1000);
  sweeper.unref();

  const packetsOf: Record<ListenerName, (code: number) => Inc> = {
    auth: childrenByCode((name) => metrics.radiusPackets.labels('auth', name)),
    acct: childrenByCode((name) => metrics.radiusPackets.labels('acct', name)),
  };
  const dropsOf = childrenOf((reason) => metrics.radiusDropped.labels(reason));
  const repliesOf = childrenByCode((name) => metrics.radiusReplies.labels(name));

  function drop(reason: string, peer: RemoteInfo, context: DropContext = {}): void {
    dropsOf(reason).inc();
    const { nas, frame, record, detail } = context;
    const from = `${peer.address}:${peer.port}`;
    if (QUIET_DROPS.has(reason)) {
      log.debug({ peer: from, reason, ...detail }, 'radius request dropped');
    } else if (frame?.code === Code.AccessRequest) {
      // A decision that could not be sent in time is logged as the drop, naming what it was.
      const decided = record && record.reason !== reason ? { decision: record.reason } : {};
      authLog.decision('drop', frame, nas, from, { ...record, reason, message: undefined }, { ...detail, ...decided });
    } else {
      log.info({ event: 'drop', reason, code: frame ? CODE_NAMES[frame.code] : undefined, nas: nas?.address, peer: from, ...detail }, `radius request dropped: ${reason}`);
    }
  }

  function send(socket: Socket, reply: Buffer, peer: RemoteInfo): void {
    repliesOf(reply[0]!).inc();
    // No callback: Node then tries a synchronous send first; a failure reaches the socket's
    // 'error' listener (logged by the listener).
    socket.send(reply, peer.port, peer.address);
  }

  function handle(socket: Socket, listener: ListenerName, datagram: Buffer, peer: RemoteInfo): void {
    packetsOf[listener](datagram[0] ?? 0).inc();
    const nas = directory.find(peer.address);
    if (!nas) {
      authLog.unknownNas(peer.address);
      return drop('unknown-nas', peer);
    }
    const frame = parseFrame(datagram);
    if (typeof frame === 'string') return drop(`malformed-${frame}`, peer, { nas });
    if (!ACCEPTED_CODES[listener].includes(frame.code)) return drop('unexpected-code', peer, { nas, detail: { code: frame.code } });

    const slot = slotOf(peer.port, frame.code, frame.identifier);
    const seen = cache.get(peer.address, slot);
    if (seen && sameAuthenticator(seen, frame.authenticator)) {
      if (!seen.reply) return drop('duplicate-in-progress', peer);
      dropsOf('duplicate-answered-from-cache').inc();
      return send(socket, seen.reply, peer);
    }
    const problem = authenticityProblem(frame, nas);
    if (problem) return drop(problem, peer, { nas, frame });

    const started = Date.now();
    const entry = entryFor(frame.authenticator, started + DUPLICATE_WINDOW_MS);
    cache.set(peer.address, slot, entry);

    const handler = handlers[frame.code];
    let answer: Answer | Promise<Answer>;
    try {
      answer = handler ? handler({ request: new RadiusRequest(frame), nas, listener, peer: { address: unmapIp(peer.address), port: peer.port } }) : undefined;
    } catch (error) {
      return failed(error, peer, nas, frame, slot, entry);
    }
    // A handler with its answer at hand (a remembered device) is answered in this same event:
    // no promise, no microtask, no closure per request.
    if (!(answer instanceof Promise)) return answered(answer, socket, peer, nas, frame, slot, entry, started);
    answer.then(
      (late) => answered(late, socket, peer, nas, frame, slot, entry, started),
      (error: unknown) => failed(error, peer, nas, frame, slot, entry),
    ).catch(internalError(peer));
  }

  function failed(error: unknown, peer: RemoteInfo, nas: NasClient, frame: Frame, slot: number, entry: CacheEntry): void {
    cache.delete(peer.address, slot, entry);
    // A stalled or absent Redis: no answer at all, so the NAS retries or fails over.
    drop(redisFailure(error) ?? 'handler-error', peer, { nas, frame, detail: { err: (error as Error).message } });
  }

  function answered(reply: Answer, socket: Socket, peer: RemoteInfo, nas: NasClient, frame: Frame, slot: number, entry: CacheEntry, started: number): void {
    if (!reply || 'drop' in reply) {
      cache.delete(peer.address, slot, entry);
      return drop(reply?.drop ?? 'no-reply', peer, { nas, frame, record: reply?.log });
    }
    const elapsed = Date.now() - started;
    if (elapsed > answerWithin) {
      cache.delete(peer.address, slot, entry);
      return drop('too-late', peer, { nas, frame, record: reply.log, detail: { ms: elapsed } });
    }
    let bytes: Buffer;
    try {
      bytes = encodeReply({
        code: reply.code,
        identifier: frame.identifier,
        requestAuthenticator: frame.authenticator,
        attributes: reply.attributes,
        secret: nas.secret,
        proxyStates: proxyStatesOf(frame),
        messageAuthenticator: frame.code === Code.AccessRequest || frame.code === Code.StatusServer,
      });
    } catch (error) {
      cache.delete(peer.address, slot, entry);
      return drop('reply-not-encodable', peer, { nas, frame, record: reply.log, detail: { err: (error as Error).message } });
    }
    if (reply.code !== Code.AccessReject) return release(socket, peer, nas, frame, entry, bytes, reply);
    // A delayed reject slows password guessing; retransmissions meanwhile are dropped above.
    const timer = setTimeout(() => {
      timers.delete(timer);
      release(socket, peer, nas, frame, entry, bytes, reply);
    }, rejectDelay(nas));
    timers.add(timer);
  }

  function release(socket: Socket, peer: RemoteInfo, nas: NasClient, frame: Frame, entry: CacheEntry, bytes: Buffer, reply: Reply): void {
    entry.reply = bytes;
    entry.expires = Date.now() + DUPLICATE_WINDOW_MS;
    send(socket, bytes, peer);
    if (frame.code === Code.AccessRequest) {
      authLog.decision(reply.code === Code.AccessAccept ? 'accept' : 'reject', frame, nas, `${peer.address}:${peer.port}`, reply.log ?? { reason: 'unspecified' });
    } else {
      log.debug({ code: CODE_NAMES[reply.code], nas: nas.address, peer: `${peer.address}:${peer.port}` }, 'radius reply sent');
    }
  }

  const internalError = (peer: RemoteInfo) => (error: unknown) => drop('internal-error', peer, { detail: { err: (error as Error).message } });

  return {
    receive(listener: ListenerName) {
      return (datagram: Buffer, peer: RemoteInfo, socket: Socket) => {
        try {
          handle(socket, listener, datagram, peer);
        } catch (error) {
          internalError(peer)(error);
        }
      };
    },
    close() {
      clearInterval(sweeper);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type Transport = ReturnType<typeof createTransport>;
