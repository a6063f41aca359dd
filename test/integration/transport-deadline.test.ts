// The transport's timing rules, with real UDP sockets and the real transport and packet code.
// It never sends a late answer: a reply a handler produces after `answerWithinMs` (a password
// check queued behind a flood, a slow Redis) is dropped and counted, since the NAS has
// retransmitted or failed over by then. And a handler that answers at once (a remembered
// device's MAC authentication) is answered within the datagram's own 'message' event: no
// promise and no later turn of the event loop, which at tens of thousands of requests a second
// was a large share of the transport's cost; everything else stays as strict (Message-
// Authenticator first, Proxy-States copied in order, one handler call per request and its
// retransmission answered from the duplicate cache with the same bytes).
import type { RemoteInfo } from 'node:dgram';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/radius/handlers/types.js';
import { openListener, type Listener } from '../../src/radius/listener.js';
import { Attr, Code, parseFrame } from '../../src/radius-wire/packet.js';
import { createTransport, type Transport } from '../../src/radius/transport.js';
import type { NasClient } from '../../src/store/nas.js';
import { accessRequest, exchange, replyMessageAuthenticatorValid, responseAuthenticatorValid } from '../helpers/radius-wire.js';

const SECRET = 'deadline-secret-8';
const NAS: NasClient = { address: '127.0.0.1', secret: SECRET, vendor: 'generic', coaPort: 3799, requireMessageAuthenticator: true, rejectDelayMs: 0, createdAt: '2026-01-01T00:00:00.000Z' };
const registry = new Registry();
const metrics = {
  radiusPackets: new Counter({ name: 'packets', help: 'packets', labelNames: ['listener', 'code'], registers: [registry] }),
  radiusDropped: new Counter({ name: 'dropped', help: 'dropped', labelNames: ['reason'], registers: [registry] }),
  radiusReplies: new Counter({ name: 'replies', help: 'replies', labelNames: ['code'], registers: [registry] }),
};
let transport: Transport;
let listener: Listener;
let immediate: Transport;
let immediateListener: Listener;
let calls = 0;

beforeAll(async () => {
  const accept: Reply = { code: Code.AccessAccept, attributes: [], log: { reason: 'ok' } };
  transport = createTransport({
    directory: { find: () => NAS },
    // The handler takes as long as the User-Name says.
    handlers: { [Code.AccessRequest]: async ({ request }) => new Promise((resolve) => setTimeout(() => resolve(accept), Number(request.string(1)))) },
    metrics,
    log: pino({ level: 'silent' }),
    answerWithinMs: 300,
  });
  listener = await openListener({ name: 'test', host: '127.0.0.1', port: 0, onMessage: transport.receive('auth'), onError: () => undefined });
  immediate = createTransport({
    directory: { find: () => NAS },
    handlers: {
      [Code.AccessRequest]: ({ request }) => {
        calls++;
        const reply: Reply = { code: Code.AccessAccept, attributes: [['Reply-Message', `hello ${request.string(Attr.UserName) ?? ''}`]], log: { reason: 'ok' } };
        return reply;
      },
    },
    metrics,
    log: pino({ level: 'silent' }),
  });
  immediateListener = await openListener({ name: 'test', host: '127.0.0.1', port: 0, onMessage: immediate.receive('auth'), onError: () => undefined });
});
afterAll(async () => {
  transport?.close();
  immediate?.close();
  await Promise.all([listener?.close(), immediateListener?.close()]);
});

const counted = async (counter: Counter, label: string, value: string) => (await counter.get()).values.find((entry) => entry.labels[label] === value)?.value ?? 0;
const tooLate = () => counted(metrics.radiusDropped, 'reason', 'too-late');

describe('the answer deadline', () => {
  it('answers a request handled in time', async () => {
    const replies = await exchange(listener.port(), [accessRequest(SECRET, [['User-Name', '50']])], 400);
    expect(replies.map((reply) => reply[0])).toEqual([Code.AccessAccept]);
  });

  it('drops and counts an answer that would come after the deadline, instead of sending it late', async () => {
    const before = await tooLate();
    const replies = await exchange(listener.port(), [accessRequest(SECRET, [['User-Name', '600']], { identifier: 2 })], 1000);
    expect(replies).toEqual([]);
    expect((await tooLate()) - before).toBe(1);
  });
});


describe('an answer the handler has at once', () => {
  it('is sent before the datagram\'s event returns', () => {
    const sent: Buffer[] = [];
    const socket = { send: (reply: Buffer) => void sent.push(reply) } as unknown as Parameters<ReturnType<Transport['receive']>>[2];
    const peer: RemoteInfo = { address: '127.0.0.1', family: 'IPv4', port: 40_001, size: 0 };
    immediate.receive('auth')(accessRequest(SECRET, [['User-Name', 'now']], { identifier: 9 }), peer, socket);
    expect(sent.map((reply) => reply[0])).toEqual([Code.AccessAccept]);
  });

  it('is signed with the Message-Authenticator first and the Proxy-States in order, and a retransmission gets the same bytes without a second call', async () => {
    const request = accessRequest(SECRET, [['User-Name', 'again'], ['Proxy-State', Buffer.from('first')], ['Proxy-State', Buffer.from('second')]], { identifier: 3 });
    const before = { calls, cached: await counted(metrics.radiusDropped, 'reason', 'duplicate-answered-from-cache'), accepts: await counted(metrics.radiusReplies, 'code', 'Access-Accept') };
    const replies = await exchange(immediateListener.port(), [request, request], 400, 50);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.equals(replies[0]!)).toBe(true);
    expect(calls - before.calls).toBe(1);
    expect((await counted(metrics.radiusDropped, 'reason', 'duplicate-answered-from-cache')) - before.cached).toBe(1);
    expect((await counted(metrics.radiusReplies, 'code', 'Access-Accept')) - before.accepts).toBe(2);

    const frame = parseFrame(replies[0]!);
    if (typeof frame === 'string') throw new Error(frame);
    const authenticator = request.subarray(4, 20);
    expect(responseAuthenticatorValid(replies[0]!, authenticator, SECRET)).toBe(true);
    expect(replyMessageAuthenticatorValid(replies[0]!, authenticator, SECRET)).toBe(true);
    expect(frame.attributes.map((attribute) => attribute.type)).toEqual([Attr.MessageAuthenticator, Attr.ReplyMessage, Attr.ProxyState, Attr.ProxyState]);
    expect(frame.attributes.slice(2).map((attribute) => attribute.value.toString())).toEqual(['first', 'second']);
    expect(frame.attributes[1]!.value.toString()).toBe('hello again');
  });

  it('is counted per listener and code', async () => {
    const before = await counted(metrics.radiusPackets, 'code', 'Access-Request');
    await exchange(immediateListener.port(), [accessRequest(SECRET, [['User-Name', 'count']], { identifier: 4 })], 300);
    expect((await counted(metrics.radiusPackets, 'code', 'Access-Request')) - before).toBe(1);
  });
});
