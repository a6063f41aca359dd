// The RFC 5176 client under parallel sends (hardening item 3): requests sent at once share one
// socket, every one of them is answered or times out, and close() leaves nothing open — a CoA
// socket left bound kept `mektep policy set` from ever exiting.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoaClient } from '../../src/radius-wire/coa-client.js';
import { encodeReply, parseFrame } from '../../src/radius-wire/packet.js';

const SECRET = 'coa-parallel-3';
let silent: Socket;
let acking: Socket;

function udpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'UDPWrap').length;
}

async function bound(socket: Socket): Promise<number> {
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket.address().port;
}

beforeAll(() => {
  // A NAS that never answers, and one that ACKs every Disconnect/CoA it gets.
  silent = createSocket('udp4');
  acking = createSocket('udp4');
  acking.on('message', (message, peer) => {
    const frame = parseFrame(message);
    if (typeof frame === 'string') return;
    const reply = encodeReply({ code: frame.code + 1, identifier: frame.identifier, requestAuthenticator: frame.authenticator, attributes: [], secret: SECRET, messageAuthenticator: true });
    acking.send(reply, peer.port, peer.address);
  });
});
afterAll(() => {
  silent.close();
  acking.close();
});

describe('CoA client, parallel sends', () => {
  it('opens one socket for requests sent together, and close() releases it after timeouts', async () => {
    const silentPort = await bound(silent);
    const before = udpHandles();
    const client = createCoaClient({ timeoutMs: 50, attempts: 2, bindAddress: '127.0.0.1' });
    const target = { ip: '127.0.0.1', port: silentPort, secret: SECRET };
    const answers = await Promise.all(Array.from({ length: 5 }, (_, index) => client.coa(target, [['Acct-Session-Id', `s-${index}`]])));
    expect(answers.map((answer) => answer.outcome)).toEqual(['timeout', 'timeout', 'timeout', 'timeout', 'timeout']);
    expect(udpHandles() - before).toBe(1);
    client.close();
    // A closed dgram socket leaves the resource list a few turns of the event loop later.
    for (let turn = 0; turn < 100 && udpHandles() > before; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(udpHandles()).toBe(before);
  });

  it('answers every parallel request from its own ACK, and can be used again after close()', async () => {
    const ackingPort = await bound(acking);
    const client = createCoaClient({ timeoutMs: 500, attempts: 2, bindAddress: '127.0.0.1' });
    const target = { ip: '127.0.0.1', port: ackingPort, secret: SECRET };
    const first = await Promise.all(Array.from({ length: 40 }, (_, index) => client.disconnect(target, [['Acct-Session-Id', `d-${index}`]])));
    expect(first.every((answer) => answer.outcome === 'ack')).toBe(true);
    client.close();
    const again = await client.coa(target, [['Acct-Session-Id', 'after-close']]);
    expect(again.outcome).toBe('ack');
    client.close();
  });
});
