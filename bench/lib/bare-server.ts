// The floor: a bare Node UDP server that answers every request with a signed, empty reply
// (Message-Authenticator + Response Authenticator) and does nothing else.
import { createHash, createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';

const [port = '0', secret = ''] = process.argv.slice(2);
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
  socket.send(reply, peer.port, peer.address);
});
socket.bind(Number(port), '127.0.0.1');
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
