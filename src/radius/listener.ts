// A RADIUS UDP socket: binds, hands every datagram on, and closes cleanly. A large receive
// buffer keeps a burst (a whole school reconnecting after a power cut) out of kernel drops.
import cluster from 'node:cluster';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { listenError } from '../errors.js';

export const WANTED_RECEIVE_BUFFER = 8 * 1024 * 1024;

export interface Listener {
  socket: Socket;
  port(): number;
  /** What the kernel granted (capped by net.core.rmem_max; Linux reports twice the usable size). */
  receiveBufferSize: number;
  close(): Promise<void>;
}

export interface ListenerOptions {
  name: string;
  host: string;
  port: number;
  onMessage: (message: Buffer, peer: RemoteInfo, socket: Socket) => void;
  onError: (error: Error) => void;
}

export async function openListener({ name, host, port, onMessage, onError }: ListenerOptions): Promise<Listener> {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', recvBufferSize: WANTED_RECEIVE_BUFFER });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => reject(listenError(error, `${name} port ${port} on ${host}`)));
    // In a cluster worker the socket is the primary's, shared by all workers (cluster.ts).
    socket.bind({ address: host, port, exclusive: !cluster.isWorker }, () => {
      socket.removeAllListeners('error');
      socket.on('error', onError);
      resolve();
    });
  });
  socket.on('message', (message, peer) => onMessage(message, peer, socket));
  return {
    socket,
    port: () => socket.address().port,
    receiveBufferSize: socket.getRecvBufferSize(),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
