// A UDP load generator that keeps a fixed number of requests in flight over several sockets
// (each socket has its own 256 identifiers), so the server, not the generator, is the limit.
import { createSocket, type Socket } from 'node:dgram';

export interface LoadResult {
  sent: number;
  answered: number;
  timedOut: number;
  byCode: Record<number, number>;
  seconds: number;
  latenciesMs: number[];
}

export interface LoadOptions {
  port: number;
  /** Builds the packet for request `index` with the given identifier. */
  packet: (index: number, identifier: number) => Buffer;
  total: number;
  sockets: number;
  inFlightPerSocket: number;
  timeoutMs: number;
  /** Requests per second over all sockets; unset: as fast as answers come back. */
  rate?: number;
  /** Sees every answer with the index of the request it answers. */
  onReply?: (index: number, reply: Buffer) => void;
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { sent: 0, answered: 0, timedOut: 0, byCode: {}, seconds: 0, latenciesMs: [] };
  let next = 0;
  const started = process.hrtime.bigint();

  async function worker(): Promise<void> {
    const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const pending = new Map<number, { sentAt: bigint; timer: NodeJS.Timeout; index: number }>();
    const free: number[] = Array.from({ length: Math.min(256, options.inFlightPerSocket) }, (_, i) => i);
    let wake: (() => void) | undefined;
    const release = (identifier: number) => {
      const entry = pending.get(identifier);
      if (!entry) return undefined;
      clearTimeout(entry.timer);
      pending.delete(identifier);
      free.push(identifier);
      wake?.();
      return entry;
    };
    socket.on('message', (message) => {
      const entry = release(message[1]!);
      if (!entry) return;
      result.answered++;
      result.byCode[message[0]!] = (result.byCode[message[0]!] ?? 0) + 1;
      result.latenciesMs.push(Number(process.hrtime.bigint() - entry.sentAt) / 1e6);
      options.onReply?.(entry.index, message);
    });
    const perSocketRate = options.rate ? options.rate / options.sockets : 0;
    const workerStart = Date.now();
    let sentHere = 0;
    while (next < options.total) {
      // Paced: a fixed rate makes CPU per request comparable between servers of any speed.
      const due = perSocketRate ? workerStart + (sentHere / perSocketRate) * 1000 : 0;
      if (due > Date.now()) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, due - Date.now())));
        continue;
      }
      if (free.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const identifier = free.pop()!;
      const index = next++;
      const timer = setTimeout(() => {
        if (release(identifier)) result.timedOut++;
      }, options.timeoutMs);
      pending.set(identifier, { sentAt: process.hrtime.bigint(), timer, index });
      result.sent++;
      sentHere++;
      socket.send(options.packet(index, identifier), options.port, '127.0.0.1');
      if (result.sent % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    while (pending.size > 0) await new Promise<void>((resolve) => (wake = resolve));
    socket.close();
  }

  await Promise.all(Array.from({ length: options.sockets }, () => worker()));
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  result.latenciesMs.sort((a, b) => a - b);
  return result;
}
