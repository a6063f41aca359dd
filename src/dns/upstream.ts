// Forwarding to the upstream resolvers: one connected UDP socket per query (a random source
// port and id, RFC 5452 §9.2; a closed port fails at once through ICMP), TCP when the answer
// comes back truncated (RFC 7766 §5), the next server on failure, and one overall deadline so
// a dead upstream turns into SERVFAIL, never a hang.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP, connect } from 'node:net';
import { decodeResponse, encodeQuery, isTruncated, MAX_UDP_SIZE, type Packet, type Question } from './codec.js';

export interface UpstreamServer {
  host: string;
  port: number;
}

/** "ip[:port]" items separated by commas; IPv6 with a port as "[v6]:port". */
export function parseUpstreams(text: string): UpstreamServer[] {
  return text.split(',').map((item) => item.trim()).filter(Boolean).map((item) => {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : isIP(item) === 6 ? [item, undefined] : item.split(':');
    if (!host || isIP(host) === 0 || (port !== undefined && !/^\d{1,5}$/.test(port))) throw new Error(`"${item}" is not ip[:port]`);
    return { host, port: port === undefined ? 53 : Number(port) };
  });
}

/** The `nameserver` lines of a resolv.conf. */
export function resolvConfServers(text: string): UpstreamServer[] {
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)]
    .map((match) => match[1]!.replace(/%.*$/, ''))
    .filter((host) => isIP(host) !== 0)
    .map((host) => ({ host, port: 53 }));
}

export class UpstreamError extends Error {}

function matches(answer: Packet, id: number, question: Question): boolean {
  const asked = answer.questions?.[0];
  return answer.id === id && asked !== undefined && asked.type === question.type && asked.name.toLowerCase() === question.name.toLowerCase();
}

function overUdp(server: UpstreamServer, question: Question, timeoutMs: number): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0, 65536);
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const finish = (error: Error | undefined, packet?: Packet) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(packet!);
    };
    const timer = setTimeout(() => finish(new UpstreamError(`${server.host}:${server.port} did not answer in ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('message', (message) => {
      const packet = decodeResponse(message);
      // Anything else on this port is ignored, not trusted (RFC 5452 §9.1).
      if (packet && matches(packet, id, question)) finish(undefined, packet);
    });
    socket.connect(server.port, server.host, () => socket.send(encodeQuery(id, question, MAX_UDP_SIZE)));
  });
}

function overTcp(server: UpstreamServer, question: Question, timeoutMs: number): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0, 65536);
    const query = encodeQuery(id, question, MAX_UDP_SIZE);
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const finish = (error: Error | undefined, packet?: Packet) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(packet!);
    };
    const timer = setTimeout(() => finish(new UpstreamError(`${server.host}:${server.port} (TCP) did not answer in ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const packet = decodeResponse(received.subarray(2, 2 + received.readUInt16BE(0)));
      if (packet && matches(packet, id, question)) finish(undefined, packet);
      else finish(new UpstreamError(`${server.host}:${server.port} (TCP) sent an answer to another question`));
    });
    socket.on('end', () => finish(new UpstreamError(`${server.host}:${server.port} (TCP) closed before answering`)));
  });
}

export interface UpstreamOptions {
  servers: UpstreamServer[];
  /** Questions forwarded at once; past it SERVFAIL at once (a flood of random names, not a hang). */
  maxInFlight?: number;
  /** The whole budget of one question, every server and TCP included. */
  timeoutMs?: number;
  now?: () => number;
}

export function createUpstream({ servers, timeoutMs = 2000, maxInFlight = 2000, now = Date.now }: UpstreamOptions) {
  let next = 0;
  let inFlight = 0;

  async function forward(question: Question): Promise<Packet> {
    const deadline = now() + timeoutMs;
    const first = next++ % servers.length;
    let lastError: unknown;
    for (let tried = 0; tried < servers.length; tried++) {
      const server = servers[(first + tried) % servers.length]!;
      // Each remaining server gets an equal share of what is left of the budget.
      const share = Math.floor((deadline - now()) / (servers.length - tried));
      if (share <= 0) break;
      try {
        const packet = await overUdp(server, question, share);
        if (!isTruncated(packet)) return packet;
        return await overTcp(server, question, Math.max(deadline - now(), 1));
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new UpstreamError('no upstream resolver answered in time');
  }

  return {
    servers,
    async resolve(question: Question): Promise<Packet> {
      if (servers.length === 0) throw new UpstreamError('no upstream resolver configured');
      if (inFlight >= maxInFlight) throw new UpstreamError(`${maxInFlight} questions already forwarded`);
      inFlight++;
      try {
        return await forward(question);
      } finally {
        inFlight--;
      }
    },
  };
}

export type Upstream = ReturnType<typeof createUpstream>;
