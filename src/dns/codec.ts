// DNS messages ↔ bytes through dns-packet (the only importer of it), plus the few header rules
// the resolver needs: what a query must look like, the client's UDP size, and truncation.
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';

export type { Answer, Packet, Question };

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const RD = dnsPacket.RECURSION_DESIRED;
const RA = dnsPacket.RECURSION_AVAILABLE;
const TC = dnsPacket.TRUNCATED_RESPONSE;

/** RFC 1035 §4.2.1: without EDNS a UDP answer is at most 512 bytes. */
export const CLASSIC_UDP_SIZE = 512;
/** RFC 6891 §6.2.5 and DNS Flag Day 2020: the largest UDP answer worth sending. */
export const MAX_UDP_SIZE = 1232;

export interface Query {
  packet: Packet;
  question: Question;
  /** Largest UDP answer the client accepts. */
  udpSize: number;
  edns: boolean;
}

export type QueryProblem = 'malformed' | 'not-a-query' | 'no-single-question';

export function decodeQuery(message: Buffer): Query | QueryProblem {
  let packet: Packet;
  try {
    packet = dnsPacket.decode(message);
  } catch {
    return 'malformed';
  }
  // Opcode QUERY only (RFC 1035 §4.1.1): bits 11-14 of the flags.
  if (packet.type !== 'query' || ((packet.flags ?? 0) >> 11) & 0xf) return 'not-a-query';
  const [question, ...more] = packet.questions ?? [];
  if (!question || more.length > 0) return 'no-single-question';
  const opt = packet.additionals?.find((record) => record.type === 'OPT');
  const udpSize = opt ? Math.min(Math.max(opt.udpPayloadSize, CLASSIC_UDP_SIZE), MAX_UDP_SIZE) : CLASSIC_UDP_SIZE;
  return { packet, question, udpSize, edns: opt !== undefined };
}

export function decodeResponse(message: Buffer): Packet | undefined {
  try {
    const packet = dnsPacket.decode(message);
    return packet.type === 'response' ? packet : undefined;
  } catch {
    return undefined;
  }
}

export function rcodeOf(packet: Packet): number {
  return (packet.flags ?? 0) & 0xf;
}

export function isTruncated(packet: Packet): boolean {
  return ((packet.flags ?? 0) & TC) !== 0;
}

export interface Reply {
  rcode: number;
  answers?: Answer[];
  authorities?: Answer[];
}

/** The answer to `query`: its id, question and RD echoed (RFC 1035 §4.1.1), RA set, EDNS if it used EDNS. */
export function encodeReply(query: Query, reply: Reply): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: query.packet.id ?? 0,
    flags: ((query.packet.flags ?? 0) & RD) | RA | reply.rcode,
    questions: [query.question],
    answers: reply.answers ?? [],
    authorities: reply.authorities ?? [],
    additionals: query.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: MAX_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
}

/** RFC 7766 §2 / RFC 2181 §9: too big for UDP → header and question only, TC set, so the client asks over TCP. */
export function truncated(query: Query, rcode: number): Buffer {
  const packet = dnsPacket.decode(encodeReply(query, { rcode }));
  return dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | TC });
}

export function encodeQuery(id: number, question: Question, udpSize: number): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: RD,
    questions: [question],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: udpSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}
