// Raw RADIUS packets for tests that need exact bytes (duplicates, framing, fuzzing): built with
// the `radius` package's attribute encoder and signed as RFC 2865/2866/3579 say.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { EncodableAttribute } from 'radius';
import { loadDictionaries } from '../../src/radius-wire/dictionary.js';

/** An Access-Request with PAP, Message-Authenticator last (as radclient sends it). */
export function accessRequest(secret: string, attributes: EncodableAttribute[], options: { identifier?: number; messageAuthenticator?: boolean } = {}): Buffer {
  const radius = loadDictionaries();
  return radius.encode({
    code: 'Access-Request',
    identifier: options.identifier ?? 1,
    authenticator: randomBytes(16),
    attributes,
    secret,
    add_message_authenticator: options.messageAuthenticator ?? true,
  });
}

/**
 * An Accounting-Request whose Request Authenticator is MD5 over the packet (RFC 2866 §3); with
 * `messageAuthenticator`, one is added first and signed over a zero authenticator, as
 * FreeRADIUS does.
 */
export function accountingRequest(secret: string, attributes: EncodableAttribute[], identifier = 1, messageAuthenticator = false): Buffer {
  const radius = loadDictionaries();
  const all: EncodableAttribute[] = messageAuthenticator ? [[80, Buffer.alloc(16)], ...attributes] : attributes;
  const packet = radius.encode({ code: 'Accounting-Request', identifier, authenticator: Buffer.alloc(16), attributes: all, secret, add_message_authenticator: false });
  packet.fill(0, 4, 20);
  if (messageAuthenticator) createHmac('md5', secret).update(packet).digest().copy(packet, 22);
  createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
  return packet;
}

export function replyMessageAuthenticatorValid(reply: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  const copy = Buffer.from(reply);
  requestAuthenticator.copy(copy, 4);
  copy.fill(0, 22, 38);
  return createHmac('md5', secret).update(copy).digest().equals(reply.subarray(22, 38));
}

export function responseAuthenticatorValid(reply: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  const copy = Buffer.from(reply);
  requestAuthenticator.copy(copy, 4);
  return createHash('md5').update(copy).update(secret).digest().equals(reply.subarray(4, 20));
}

/** Sends datagrams from one socket and collects what comes back within `waitMs`. */
export async function exchange(port: number, packets: Buffer[], waitMs: number, gapMs = 0, from = '127.0.0.1'): Promise<Buffer[]> {
  const socket = createSocket('udp4');
  const replies: Buffer[] = [];
  socket.on('message', (message) => replies.push(message));
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  for (const packet of packets) {
    await new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  socket.close();
  return replies;
}
