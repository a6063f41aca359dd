// Mutated RADIUS requests that still pass the signature checks, so the mutations reach the
// handlers: a seed (a well-formed request with its password in clear) is changed at the
// attribute level and at the byte level, then signed as an access point would sign it — the
// User-Password hidden (RFC 2865 §5.2), Message-Authenticator computed (RFC 3579 §3.2) and, for
// accounting, the Request Authenticator (RFC 2866 §3). The checks here are the fuzzer's own,
// independent of Mektep's code.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export type Attribute = [type: number, value: Buffer];

export const A = { UserName: 1, UserPassword: 2, ChapPassword: 3, ServiceType: 6, CallingStationId: 31, AcctStatusType: 40, ChapChallenge: 60, EapMessage: 79, MessageAuthenticator: 80 } as const;
const NAMES: Record<number, string> = { 1: 'User-Name', 2: 'User-Password', 3: 'CHAP-Password', 6: 'Service-Type', 31: 'Calling-Station-Id', 60: 'CHAP-Challenge', 79: 'EAP-Message' };
const SIGNED_AUTHENTICATOR = new Set([4, 40, 43]);
const ZERO_16 = Buffer.alloc(16);

export type Judge = 'user' | 'mac' | 'voucher' | 'token';

export interface Seed {
  kind: string;
  port: 'auth' | 'acct';
  code: number;
  /** User-Password (type 2) is in clear here; it is hidden when the packet is signed. */
  attributes: Attribute[];
  /** The attributes that prove who is asking (their first value), and how they are compared. */
  credentials: number[];
  /** Attributes whose change is noted but does not by itself make an Accept wrong. */
  secondary: number[];
  judge: Judge;
  /** Access-Accept is wrong for this request even unmutated (bad password, unknown MAC, EAP)… */
  mustReject: boolean;
  /** …as long as this attribute is in it. */
  rejectWhile?: number;
}

export interface Mutated {
  seed: Seed;
  packet: Buffer;
  authenticator: Buffer;
  port: 'auth' | 'acct';
  operations: string[];
  /** Access-Request only: how it differs from the seed where it matters (see judge()). */
  judgement: Judgement | undefined;
}

const rand = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(list: readonly T[]): T => list[rand(list.length)]!;

const WEIRD_TEXT = [
  '', ' ', '\u0000', 'a'.repeat(253), '%s%n%x', '../../etc/passwd', 'Ω≈ç√∫', '\u202e', 'tok-', 'tok-AAAA', '__proto__', 'constructor',
  'DOMAIN\\student1', 'student1@', 'STUDENT1', ' student1 ', '00:1b:63:00:00:01', '00-1B-63-00-00-01', '001b.6300.0001', '001b63000001',
  'ff:ff:ff:ff:ff:ff', '00:1b:63:00:00:0g', '{"$gt":""}', '*', '\r\nX-Injected: 1', '0', '-1', '1e309',
];
const WEIRD_INTEGERS = [0, 1, 2, 3, 7, 8, 10, 15, 0x7fffffff, 0xffffffff];

function integer(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

function flipBits(value: Buffer): Buffer {
  const out = Buffer.from(value);
  if (out.length === 0) return randomBytes(1 + rand(4));
  for (let n = 1 + rand(3); n > 0; n--) out[rand(out.length)]! ^= 1 << rand(8);
  return out;
}

/** Attribute-level changes; each returns the name it is reported under. */
const ATTRIBUTE_MUTATIONS: ((list: Attribute[]) => string)[] = [
  (list) => { const i = rand(list.length); list[i] = [list[i]![0], flipBits(list[i]![1])]; return 'flip'; },
  (list) => { const i = rand(list.length); list[i] = [list[i]![0], randomBytes(rand(254))]; return 'random-value'; },
  (list) => { const i = rand(list.length); list[i] = [list[i]![0], list[i]![1].subarray(0, rand(list[i]![1].length))]; return 'truncate-value'; },
  (list) => { const i = rand(list.length); list[i] = [list[i]![0], Buffer.concat([list[i]![1], randomBytes(1 + rand(64))]).subarray(0, 253)]; return 'extend-value'; },
  (list) => { const i = rand(list.length); list.splice(rand(list.length + 1), 0, [list[i]![0], Buffer.from(list[i]![1])]); return 'duplicate'; },
  (list) => { const i = rand(list.length); list.splice(rand(list.length + 1), 0, [list[i]![0], flipBits(list[i]![1])]); return 'duplicate-conflicting'; },
  (list) => { list.sort(() => Math.random() - 0.5); return 'reorder'; },
  (list) => { list.splice(rand(list.length), 1); return 'remove'; },
  (list) => { list.splice(rand(list.length + 1), 0, [rand(256), randomBytes(rand(40))]); return 'add-random'; },
  (list) => { list.splice(rand(list.length + 1), 0, [26, Buffer.concat([integer(pick([14988, 311, 9, 14823, 0, rand(65536)])), randomBytes(rand(30))])]); return 'add-vendor-specific'; },
  (list) => { const i = rand(list.length); list[i] = [list[i]![0], Buffer.from(pick(WEIRD_TEXT))]; return 'weird-text'; },
  (list) => { const i = rand(list.length); list[i] = [list[i]![0], rand(4) === 0 ? randomBytes(pick([0, 1, 3, 5, 8])) : integer(pick(WEIRD_INTEGERS))]; return 'weird-integer'; },
  (list) => { list.push(...Array.from({ length: 20 + rand(200) }, (): Attribute => [pick([1, 18, 25, 31, 33, 44, 79, 26]), randomBytes(rand(20))])); return 'many-attributes'; },
  (list) => { const i = list.findIndex(([type]) => type === A.MessageAuthenticator); if (i >= 0) list.splice(i, 1); return 'no-message-authenticator'; },
];

/** Byte-level changes to the encoded attributes (the header's Length follows unless said). */
const BYTE_MUTATIONS: ((packet: Buffer) => [Buffer, string])[] = [
  (packet) => { const out = Buffer.from(packet); if (out.length > 21) out[20 + rand(out.length - 20)]! ^= 1 << rand(8); return [out, 'byte-flip']; },
  (packet) => [packet.subarray(0, 20 + rand(packet.length - 19)), 'truncate-packet'],
  (packet) => [Buffer.concat([packet, randomBytes(1 + rand(64))]), 'extend-packet'],
  (packet) => { const out = Buffer.from(packet); const at = attributeOffsets(out); if (at.length) out[pick(at) + 1] = rand(256); return [out, 'attribute-length']; },
];

function attributeOffsets(packet: Buffer): number[] {
  const offsets: number[] = [];
  for (let offset = 20; offset + 2 <= packet.length && packet[offset + 1]! >= 2; offset += packet[offset + 1]!) offsets.push(offset);
  return offsets;
}

function hide(clear: Buffer, secret: string, authenticator: Buffer): Buffer {
  const padded = Buffer.alloc(Math.min(128, Math.max(16, Math.ceil(clear.length / 16) * 16)));
  clear.copy(padded, 0, 0, padded.length);
  let previous = authenticator;
  for (let offset = 0; offset < padded.length; offset += 16) {
    const key = createHash('md5').update(secret).update(previous).digest();
    for (let i = 0; i < 16; i++) padded[offset + i]! ^= key[i]!;
    previous = padded.subarray(offset, offset + 16);
  }
  return padded;
}

function reveal(hidden: Buffer, secret: string, authenticator: Buffer): string {
  const clear = Buffer.alloc(hidden.length);
  let previous = authenticator;
  for (let offset = 0; offset < hidden.length; offset += 16) {
    const key = createHash('md5').update(secret).update(previous).digest();
    for (let i = 0; i < 16 && offset + i < hidden.length; i++) clear[offset + i] = hidden[offset + i]! ^ key[i]!;
    previous = hidden.subarray(offset, offset + 16);
  }
  const end = clear.indexOf(0);
  return clear.subarray(0, end === -1 ? clear.length : end).toString('latin1');
}

function encode(code: number, identifier: number, authenticator: Buffer, attributes: Attribute[], secret: string): Buffer {
  const parts = attributes.map(([type, value]) => {
    const body = type === A.UserPassword && code === 1 ? hide(value, secret, authenticator) : value.subarray(0, 253);
    return Buffer.concat([Buffer.from([type, body.length + 2]), body]);
  });
  const packet = Buffer.concat([Buffer.alloc(20), ...parts]).subarray(0, 4096);
  packet[0] = code;
  packet[1] = identifier;
  packet.writeUInt16BE(packet.length, 2);
  authenticator.copy(packet, 4);
  return packet;
}

/** Signs in place as a NAS would: Message-Authenticator (if one is there), then the authenticator. */
function sign(packet: Buffer, secret: string): void {
  const signed = SIGNED_AUTHENTICATOR.has(packet[0]!);
  const length = Math.min(packet.length, packet.readUInt16BE(2));
  const ma = attributeOffsets(packet.subarray(0, length)).find((offset) => packet[offset] === A.MessageAuthenticator && packet[offset + 1] === 18 && offset + 18 <= length);
  if (signed) ZERO_16.copy(packet, 4);
  if (ma !== undefined) {
    packet.fill(0, ma + 2, ma + 18);
    createHmac('md5', secret).update(packet.subarray(0, length)).digest().copy(packet, ma + 2);
  }
  if (signed) createHash('md5').update(packet.subarray(0, length)).update(secret).digest().copy(packet, 4);
}

function normalized(judge: Judge, type: number, value: Buffer, secret: string, authenticator: Buffer): string {
  if (type === A.UserPassword) return reveal(value, secret, authenticator);
  const text = value.toString('latin1');
  // Only the notations access points use count as a MAC (aa:bb:…, aa-bb-…, aabb.ccdd.eeff, aabbccddeeff).
  const mac = /^\s*([0-9a-f]{2}([-:]?)[0-9a-f]{2}(\2[0-9a-f]{2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})\s*$/i.test(text);
  if (type === A.CallingStationId || (type === A.UserName && judge === 'mac')) return mac ? `mac ${text.trim().toLowerCase().replace(/[-:.]/g, '')}` : `text ${text}`;
  if (type === A.UserName && judge === 'voucher') return text.trim().toUpperCase().replace(/[\s-]/g, '');
  if (type === A.UserName && judge === 'user') return text.trim().toLowerCase().replace(/^.*\\/, '');
  return value.toString('hex');
}

export interface Judgement {
  credentialChanges: string[];
  otherChanges: string[];
  mustReject: boolean;
}

/**
 * What a signed Access-Request says in its credential attributes, compared with the seed's.
 * A handler reads the first of repeated attributes, so a changed or missing first value is a
 * credential change; later conflicting copies and the seed's `secondary` attributes are noted
 * apart (an Accept then is worth a look, not proof of a hole).
 */
function judge(seed: Seed, packet: Buffer, secret: string): Judgement {
  const length = packet.readUInt16BE(2);
  const body = packet.subarray(0, length);
  const offsets = attributeOffsets(body);
  const last = offsets.at(-1);
  if (length > packet.length || length < 20 || (length > 20 && (last === undefined || last + body[last + 1]! !== length))) {
    return { credentialChanges: ['unparseable'], otherChanges: [], mustReject: true };
  }
  const authenticator = body.subarray(4, 20);
  const sent = offsets.map((offset): Attribute => [body[offset]!, body.subarray(offset + 2, offset + body[offset + 1]!)]);
  const original = encode(seed.code, 0, authenticator, seed.attributes, secret);
  const before = attributeOffsets(original).map((offset): Attribute => [original[offset]!, original.subarray(offset + 2, offset + original[offset + 1]!)]);
  const values = (list: Attribute[], type: number) => list.filter(([t]) => t === type).map(([, value]) => normalized(seed.judge, type, value, secret, authenticator));
  const describe = (type: number, now: string[]) => type === A.CallingStationId || (type === A.UserName && seed.judge === 'mac') ? (now[0]?.startsWith('text') ? ' (not a MAC)' : ' (another MAC)') : '';
  const credentialChanges: string[] = [];
  const otherChanges: string[] = [];
  for (const type of [...seed.credentials, ...seed.secondary]) {
    const was = values(before, type);
    const now = values(sent, type);
    // A NAS that names another well-formed MAC in a MAC login speaks for that device.
    const anotherDevice = seed.judge === 'mac' && type === A.CallingStationId && now[0]?.startsWith('mac ');
    const into = seed.credentials.includes(type) && !anotherDevice ? credentialChanges : otherChanges;
    if (now.length === 0 && was.length > 0) into.push(`${NAMES[type]} removed`);
    else if (now.length > 0 && now[0] !== was[0]) into.push(`${NAMES[type]} ${was.length ? 'changed' : 'added'}${describe(type, now)}`);
    else if (now.some((value) => !was.includes(value))) otherChanges.push(`${NAMES[type]} with a later conflicting copy`);
  }
  const calling = [values(before, A.CallingStationId)[0], values(sent, A.CallingStationId)[0]];
  const namesAnotherMac = seed.judge === 'mac' && calling[1]?.startsWith('mac ') === true && calling[1] !== calling[0];
  const mustReject = seed.mustReject && !namesAnotherMac && (seed.rejectWhile === undefined || sent.some(([type]) => type === seed.rejectWhile));
  return { credentialChanges, otherChanges, mustReject };
}

export interface MutateOptions {
  secret: string;
  identifier: number;
  /** Probability that the packet is sent as the seed made it (a control). */
  control: number;
}

export function mutate(seed: Seed, { secret, identifier, control }: MutateOptions): Mutated {
  const operations: string[] = [];
  const attributes = seed.attributes.map(([type, value]): Attribute => [type, Buffer.from(value)]);
  let code = seed.code;
  let port = seed.port;
  if (Math.random() >= control) {
    for (let n = 1 + rand(3); n > 0; n--) operations.push(pick(ATTRIBUTE_MUTATIONS)(attributes.length ? attributes : [[1, Buffer.alloc(0)]]));
    if (rand(20) === 0) { code = pick([1, 4, 12, 40, 43, 2, 5, rand(256)]); operations.push(`code ${code}`); }
    if (rand(20) === 0) { port = port === 'auth' ? 'acct' : 'auth'; operations.push('other port'); }
  }
  let packet = encode(code, identifier, randomBytes(16), attributes, secret);
  if (operations.length && rand(4) === 0) {
    const [changed, name] = pick(BYTE_MUTATIONS)(packet);
    operations.push(name);
    packet = changed;
    // Mostly keep the header's Length in step, so the change is inside what is parsed.
    if (name !== 'extend-packet' || rand(2) === 0) packet.writeUInt16BE(Math.min(packet.length, 4096), 2);
    if (rand(10) === 0) { packet.writeUInt16BE(rand(4200), 2); operations.push('header-length'); }
  }
  if (packet.length >= 20) sign(packet, secret);
  const authenticator = Buffer.from(packet.subarray(4, 20));
  return { seed, packet, authenticator, port, operations, judgement: code === 1 ? judge(seed, packet, secret) : undefined };
}

/** RFC 2865 §3: the reply's authenticator is MD5(code‖id‖length‖request authenticator‖attributes‖secret). */
export function replySigned(reply: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  if (reply.length < 20) return false;
  const expected = createHash('md5').update(reply.subarray(0, 4)).update(requestAuthenticator).update(reply.subarray(20)).update(secret).digest();
  return expected.equals(reply.subarray(4, 20));
}
