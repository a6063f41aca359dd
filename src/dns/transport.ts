// The resolver's sockets: UDP, and TCP with two-byte length framing (RFC 1035 §4.2.2), several
// queries per connection answered as they complete (RFC 7766 §6.2.1.1) and idle connections
// closed (§6.2.3). The transport only frames bytes; every decision is the resolver's.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket as NetSocket } from 'node:net';
import { listenError } from '../errors.js';
import { WANTED_RECEIVE_BUFFER } from '../radius/listener.js';

export type Answerer = (message: Buffer, peer: string, over: 'udp' | 'tcp') => Promise<Buffer | undefined>;

const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 2000;
/** Queries one TCP connection may have in flight at once. */
const MAX_TCP_PENDING = 64;

export interface DnsListener {
  port(): number;
  close(): Promise<void>;
}

function bindUdp(host: string, port: number, answer: Answerer, onError: (error: Error) => void): Promise<Socket> {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', recvBufferSize: WANTED_RECEIVE_BUFFER });
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => reject(listenError(error, `DNS port ${port} (UDP) on ${host}`)));
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error');
      socket.on('error', onError);
      socket.on('message', (message, peer) => {
        void answer(message, peer.address, 'udp').then((bytes) => {
          if (bytes) socket.send(bytes, peer.port, peer.address);
        });
      });
      resolve(socket);
    });
  });
}

function bindTcp(host: string, port: number, answer: Answerer, open: Set<NetSocket>): Promise<Server> {
  const server = createServer((connection) => {
    open.add(connection);
    connection.on('close', () => open.delete(connection));
    let buffered: Buffer = Buffer.alloc(0);
    let pending = 0;
    connection.setTimeout(TCP_IDLE_MS, () => connection.destroy());
    connection.on('error', () => undefined);
    connection.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        if (++pending > MAX_TCP_PENDING) {
          connection.destroy();
          return;
        }
        void answer(Buffer.from(message), connection.remoteAddress ?? '', 'tcp').then((bytes) => {
          pending--;
          if (!bytes || connection.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(bytes.length);
          connection.write(Buffer.concat([length, bytes]));
        });
      }
    });
  });
  server.maxConnections = MAX_TCP_CONNECTIONS;
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, `DNS port ${port} (TCP) on ${host}`)));
    server.listen({ host, port, exclusive: true }, () => {
      server.removeAllListeners('error');
      resolve(server);
    });
  });
}

/** Binds UDP and TCP on the same port (with port 0, the port the kernel gave UDP). */
export async function openDnsListener(host: string, port: number, answer: Answerer, onError: (error: Error) => void): Promise<DnsListener> {
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(host, port, answer, onError);
    const bound = udp.address().port;
    const open = new Set<NetSocket>();
    try {
      const tcp = await bindTcp(host, bound, answer, open);
      return {
        port: () => bound,
        close: async () => {
          await new Promise<void>((resolve) => udp.close(() => resolve()));
          const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
          for (const connection of open) connection.destroy();
          await closed;
        },
      };
    } catch (error) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      // A kernel-chosen UDP port may be taken for TCP: try another.
      if (port !== 0 || attempt >= 5) throw error;
    }
  }
}
