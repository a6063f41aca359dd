// RADIUS packets on the wire: framing checks, request authenticators, Message-Authenticator and
// reply signing (RFC 2865, 2866, 3579, 5176). The `radius` package only encodes attribute
// values here; its own envelope checks are lossy (see shared RADIUS.md), so none is used.
import { timingSafeEqual } from 'node:crypto';
import type { EncodableAttribute } from 'radius';
import { loadDictionaries } from './dictionary.js';
import { addBytes, finishHmacMd5, finishMd5, hmacMd5Key, startHmacMd5, startMd5, type HmacMd5Key } from './md5.js';

export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;

export const CODE_NAMES: Record<number, string> = {
  1: 'Access-Request', 2: 'Access-Accept', 3: 'Access-Reject', 4: 'Accounting-Request', 5: 'Accounting-Response',
  11: 'Access-Challenge', 12: 'Status-Server', 40: 'Disconnect-Request', 41: 'Disconnect-ACK', 42: 'Disconnect-NAK',
  43: 'CoA-Request', 44: 'CoA-ACK', 45: 'CoA-NAK',
};

export const Attr = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  NasPort: 5,
  ServiceType: 6,
  FramedIpAddress: 8,
  ReplyMessage: 18,
  Class: 25,
  VendorSpecific: 26,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  AcctStatusType: 40,
  AcctInputOctets: 42,
  AcctOutputOctets: 43,
  AcctSessionId: 44,
  AcctSessionTime: 46,
  AcctTerminateCause: 49,
  AcctInputGigawords: 52,
  AcctOutputGigawords: 53,
  EventTimestamp: 55,
  ChapChallenge: 60,
  EapMessage: 79,
  MessageAuthenticator: 80,
  ErrorCause: 101,
} as const;

const HEADER = 20;
const MAX_LENGTH = 4096;
const MA_LENGTH = 18;
const ZERO_16 = Buffer.alloc(16);

export interface RawAttribute {
  type: number;
  value: Buffer;
}

export interface Frame {
  code: number;
  identifier: number;
  authenticator: Buffer;
  /** The packet up to its Length field (bytes beyond it are ignored, RFC 2865 §3). */
  packet: Buffer;
  attributes: RawAttribute[];
  /** Offset of the Message-Authenticator value in `packet`, or -1. */
  maOffset: number;
}

export type FrameError = 'short' | 'bad-length' | 'unknown-code' | 'bad-attribute' | 'bad-message-authenticator';

/** Checks every framing rule before anything is decoded; returns why a packet must be dropped. */
export function parseFrame(datagram: Buffer): Frame | FrameError {
  if (datagram.length < HEADER) return 'short';
  const length = datagram.readUInt16BE(2);
  if (length < HEADER || length > MAX_LENGTH || length > datagram.length) return 'bad-length';
  const code = datagram[0]!;
  if (CODE_NAMES[code] === undefined) return 'unknown-code';
  const packet = datagram.subarray(0, length);
  const attributes: RawAttribute[] = [];
  let maOffset = -1;
  for (let offset = HEADER; offset < length;) {
    if (offset + 2 > length) return 'bad-attribute';
    const type = packet[offset]!;
    const attrLength = packet[offset + 1]!;
    if (attrLength < 2 || offset + attrLength > length) return 'bad-attribute';
    if (type === Attr.MessageAuthenticator) {
      if (maOffset !== -1 || attrLength !== MA_LENGTH) return 'bad-message-authenticator';
      maOffset = offset + 2;
    }
    attributes.push({ type, value: packet.subarray(offset + 2, offset + attrLength) });
    offset += attrLength;
  }
  return { code, identifier: packet[1]!, authenticator: packet.subarray(4, HEADER), packet, attributes, maOffset };
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

interface PreparedSecret {
  bytes: Buffer;
  hmac: HmacMd5Key;
}

/** Secrets in use (one per NAS record): prepared once, not converted from UTF-16 per packet. */
const MAX_SECRETS = 10_000;
const secrets = new Map<string, PreparedSecret>();

function prepared(secret: string): PreparedSecret {
  let found = secrets.get(secret);
  if (!found) {
    const bytes = Buffer.from(secret);
    found = { bytes, hmac: hmacMd5Key(bytes) };
    if (secrets.size >= MAX_SECRETS) secrets.delete(secrets.keys().next().value!);
    secrets.set(secret, found);
  }
  return found;
}

/** Where a digest that is only compared goes: no allocation per packet. */
const expected = Buffer.alloc(16);

/** HMAC-MD5 over the packet with the MA zeroed and `authenticator` in the header (no copy made), into `out` at `at`. */
function messageAuthenticator(packet: Buffer, maOffset: number, authenticator: Buffer, secret: string, out: Buffer, at: number): void {
  const key = prepared(secret).hmac;
  startHmacMd5(key);
  addBytes(packet, 0, 4);
  addBytes(authenticator);
  addBytes(packet, HEADER, maOffset);
  addBytes(ZERO_16);
  addBytes(packet, maOffset + 16);
  finishHmacMd5(key, out, at);
}

/** MD5(code‖identifier‖length‖`authenticator`‖attributes‖secret), the Request and Response Authenticators' formula, into `out` at `at`. */
function packetDigest(packet: Buffer, authenticator: Buffer, secret: string, out: Buffer, at: number): void {
  // Prepared before the hash starts: preparing a new secret hashes too.
  const { bytes } = prepared(secret);
  startMd5();
  addBytes(packet, 0, 4);
  addBytes(authenticator);
  addBytes(packet, HEADER);
  addBytes(bytes);
  finishMd5(out, at);
}

/** Requests whose Request Authenticator is an MD5 over the packet (RFC 2866 §3, RFC 5176 §2.3). */
export function hasSignedRequestAuthenticator(code: number): boolean {
  return code === Code.AccountingRequest || code === Code.DisconnectRequest || code === Code.CoaRequest;
}

export function requestAuthenticatorValid(frame: Frame, secret: string): boolean {
  packetDigest(frame.packet, ZERO_16, secret, expected, 0);
  return equal(expected, frame.authenticator);
}

/**
 * Access-Request and Status-Server: HMAC with the Request Authenticator as sent (RFC 3579
 * §3.2). Accounting, CoA and Disconnect: with a zero authenticator, as FreeRADIUS signs them.
 */
export function messageAuthenticatorValid(frame: Frame, secret: string): boolean {
  if (frame.maOffset < 0) return false;
  const authenticator = hasSignedRequestAuthenticator(frame.code) ? ZERO_16 : frame.authenticator;
  messageAuthenticator(frame.packet, frame.maOffset, authenticator, secret, expected, 0);
  return equal(expected, frame.packet.subarray(frame.maOffset, frame.maOffset + 16));
}

export interface ReplyInput {
  code: number;
  identifier: number;
  requestAuthenticator: Buffer;
  attributes: EncodableAttribute[];
  secret: string;
  /** Proxy-State values of the request, copied in order (RFC 2865 §5.33). */
  proxyStates?: Buffer[];
  /** Message-Authenticator as the first attribute (every reply to Access-Request / Status-Server). */
  messageAuthenticator: boolean;
}

// One scratch buffer for attribute encoding: the codec's own encode() zero-fills a fresh 4 KB
// buffer per packet, which at thousands of replies a second mostly feeds the garbage collector.
const scratch = Buffer.alloc(MAX_LENGTH);

/** Encodes and signs a reply: MA first and computed first, then the Response Authenticator. */
export function encodeReply(input: ReplyInput): Buffer {
  return encodePacket(input, input.requestAuthenticator);
}

/**
 * Encodes and signs a request Mektep sends (CoA-Request, Disconnect-Request; RFC 5176 §2.3):
 * as FreeRADIUS does, the MA over a zero authenticator first, then the authenticator.
 */
export function encodeSignedRequest(code: number, identifier: number, attributes: EncodableAttribute[], secret: string): Buffer {
  return encodePacket({ code, identifier, attributes, secret, messageAuthenticator: true }, ZERO_16);
}

/** RFC 2865 §5: an attribute value holds at most 253 octets. */
const MAX_VALUE = 253;

/**
 * Attributes already in wire form (`[type, bytes]` each, as rawAttributes() gives them) copied
 * straight in; the bytes written, or undefined when one needs the dictionary's encoder.
 */
function writeRaw(target: Buffer, start: number, attributes: EncodableAttribute[]): number | undefined {
  for (const [type, value] of attributes) {
    if (typeof type !== 'number' || !Buffer.isBuffer(value) || value.length > MAX_VALUE) return undefined;
  }
  let offset = start;
  for (const [type, value] of attributes as [number, Buffer][]) {
    if (offset + 2 + value.length > target.length) throw new RangeError(`more than ${MAX_LENGTH} bytes`);
    target[offset] = type;
    target[offset + 1] = value.length + 2;
    value.copy(target, offset + 2);
    offset += 2 + value.length;
  }
  return offset - start;
}

/** Attributes in wire form, `[type, bytes]` each: encoded by the dictionaries once, copied as they are after. */
export function rawAttributes(attributes: EncodableAttribute[]): [number, Buffer][] {
  const length = loadDictionaries().encode_attributes(scratch, attributes, -1);
  const raw: [number, Buffer][] = [];
  for (let offset = 0; offset < length; offset += scratch[offset + 1]!) raw.push([scratch[offset]!, Buffer.from(scratch.subarray(offset + 2, offset + scratch[offset + 1]!))]);
  return raw;
}

function encodePacket(input: Omit<ReplyInput, 'requestAuthenticator'>, signingAuthenticator: Buffer): Buffer {
  const radius = loadDictionaries();
  // Copied only to add Proxy-States: most replies have none.
  const attributes: EncodableAttribute[] = input.proxyStates?.length ? [...input.attributes, ...input.proxyStates.map((value): EncodableAttribute => [Attr.ProxyState, value])] : input.attributes;
  const maLength = input.messageAuthenticator ? MA_LENGTH : 0;
  let length: number;
  try {
    length = HEADER + maLength + (writeRaw(scratch, HEADER + maLength, attributes) ?? radius.encode_attributes(scratch.subarray(HEADER + maLength), attributes, -1));
  } catch (error) {
    throw new RangeError(`reply attributes cannot be encoded: ${(error as Error).message}`, { cause: error });
  }
  if (length > MAX_LENGTH) throw new RangeError(`reply of ${length} bytes exceeds ${MAX_LENGTH}`);
  const packet = Buffer.from(scratch.subarray(0, length));
  packet[0] = input.code;
  packet[1] = input.identifier;
  packet.writeUInt16BE(length, 2);
  signingAuthenticator.copy(packet, 4);
  if (input.messageAuthenticator) {
    packet[HEADER] = Attr.MessageAuthenticator;
    packet[HEADER + 1] = MA_LENGTH;
    packet.fill(0, HEADER + 2, HEADER + MA_LENGTH);
    messageAuthenticator(packet, HEADER + 2, signingAuthenticator, input.secret, packet, HEADER + 2);
  }
  packetDigest(packet, signingAuthenticator, input.secret, packet, 4);
  return packet;
}

/** A reply to a request Mektep sent: MD5(code‖id‖length‖request authenticator‖attributes‖secret). */
export function responseAuthenticatorValid(reply: Frame, requestAuthenticator: Buffer, secret: string): boolean {
  packetDigest(reply.packet, requestAuthenticator, secret, expected, 0);
  return equal(expected, reply.authenticator);
}

/** The Message-Authenticator of a reply, computed with the request's authenticator. */
export function replyMessageAuthenticatorValid(reply: Frame, requestAuthenticator: Buffer, secret: string): boolean {
  if (reply.maOffset < 0) return false;
  messageAuthenticator(reply.packet, reply.maOffset, requestAuthenticator, secret, expected, 0);
  return equal(expected, reply.packet.subarray(reply.maOffset, reply.maOffset + 16));
}
