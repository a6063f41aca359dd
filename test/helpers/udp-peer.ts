// An access point's side of RADIUS over raw UDP, from any loopback address (127.0.0.0/8 all
// reaches the local host): send packets, wait for the replies, parse them.
import { createSocket } from 'node:dgram';
import { parseFrame, type Frame } from '../../src/radius-wire/packet.js';
import { RadiusRequest } from '../../src/radius-wire/request.js';

/** Sends `packets` from `from` and resolves with every reply once `count` arrived (or after `timeoutMs`). */
export async function askAll(port: number, packets: Buffer[], from = '127.0.0.1', count = packets.length, timeoutMs = 5000): Promise<Buffer[]> {
  const socket = createSocket('udp4');
  const replies: Buffer[] = [];
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    socket.on('message', (message) => {
      replies.push(message);
      if (replies.length >= count) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (const packet of packets) socket.send(packet, port, '127.0.0.1');
  await done;
  socket.close();
  return replies;
}

/** One request, its reply parsed (undefined when none came). */
export async function ask(port: number, packet: Buffer, from = '127.0.0.1', timeoutMs = 3000): Promise<{ frame: Frame; attributes: RadiusRequest } | undefined> {
  const [reply] = await askAll(port, [packet], from, 1, timeoutMs);
  if (!reply) return undefined;
  const frame = parseFrame(reply);
  if (typeof frame === 'string') throw new Error(`malformed reply: ${frame}`);
  return { frame, attributes: new RadiusRequest(frame) };
}
