// The floor: a bare Node UDP server that answers every request with a signed, empty reply
// (Message-Authenticator + Response Authenticator) and does nothing else. Given a data folder
// (third argument), it also runs a redis-server as Mektep's embedded one (append-only file,
// fsync every second) and answers an Accounting-Request only after one write there (an HINCRBY
// of the NAS port's hash) was acknowledged: the floor of any server that keeps accounting in
// Redis and replies after the write, as issue 12 asks of Mektep.
import { createHash, createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';

const [port = '0', secret = '', dataDir] = process.argv.slice(2);
const embedded = dataDir ? await startEmbeddedRedis(dataDir) : undefined;
const redis = embedded ? new Redis({ path: embedded.socketPath }) : undefined;
// The same receive buffer Mektep asks for, so bursts are compared fairly.
const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
socket.on('message', (request, peer) => {
  const reply = Buffer.alloc(38);
  reply[0] = request[0] === 4 ? 5 : 2;
  reply[1] = request[1]!;
  reply.writeUInt16BE(38, 2);
  request.copy(reply, 4, 4, 20);
  reply[20] = 80;
  reply[21] = 18;
  createHmac('md5', secret).update(reply).digest().copy(reply, 22);
  createHash('md5').update(reply).update(secret).digest().copy(reply, 4);
  const send = () => socket.send(reply, peer.port, peer.address);
  if (redis && request[0] === 4) void redis.hincrby(`floor:${peer.port}`, String(request[1]), request.length).then(send);
  else send();
});
socket.bind(Number(port), '127.0.0.1');
process.on('SIGTERM', () => socket.close(() => {
  redis?.disconnect();
  void (embedded?.stop() ?? Promise.resolve()).then(() => process.exit(0));
}));
