// The transport never sends a late answer: a reply a handler produces after `answerWithinMs`
// (a password check queued behind a flood, a slow Redis) is dropped and counted, since the NAS
// has retransmitted or failed over by then. Real UDP sockets, the real transport and packet code.
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/radius/handlers/types.js';
import { openListener, type Listener } from '../../src/radius/listener.js';
import { Code } from '../../src/radius-wire/packet.js';
import { createTransport, type Transport } from '../../src/radius/transport.js';
import type { NasClient } from '../../src/store/nas.js';
import { accessRequest, exchange } from '../helpers/radius-wire.js';

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
});
afterAll(async () => {
  transport?.close();
  await listener?.close();
});

const tooLate = async () => (await metrics.radiusDropped.get()).values.find((value) => value.labels.reason === 'too-late')?.value ?? 0;

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
