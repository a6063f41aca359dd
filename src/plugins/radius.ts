// The RADIUS authentication and accounting listeners.
import type { RemoteInfo } from 'node:dgram';
import fp from 'fastify-plugin';
import { openListener, type Listener } from '../radius/listener.js';

declare module 'fastify' {
  interface FastifyInstance {
    radius: { auth: Listener; acct: Listener };
  }
}

export interface RadiusPluginOptions {
  host: string;
  authPort: number;
  acctPort: number;
}

export default fp<RadiusPluginOptions>(
  async (app, options) => {
    const receive = (listener: 'auth' | 'acct') => (_message: Buffer, peer: RemoteInfo) => {
      app.metrics.radiusPackets.inc({ listener, code: 'any' });
      const nas = app.nasDirectory.find(peer.address);
      app.metrics.radiusDropped.inc({ reason: nas ? 'unhandled' : 'unknown-nas' });
      app.log.debug({ listener, peer: peer.address, nas: nas?.address }, 'radius packet dropped');
    };
    const onError = (error: Error) => app.log.error({ err: error }, 'radius socket error');
    const auth = await openListener({ name: 'RADIUS authentication', host: options.host, port: options.authPort, onMessage: receive('auth'), onError });
    const acct = await openListener({ name: 'RADIUS accounting', host: options.host, port: options.acctPort, onMessage: receive('acct'), onError }).catch(async (error: unknown) => {
      await auth.close();
      throw error;
    });
    app.decorate('radius', { auth, acct });
    app.log.info({ auth: auth.port(), acct: acct.port(), receiveBuffer: auth.receiveBufferSize }, 'radius listening');
    app.addHook('onClose', async () => {
      await Promise.all([auth.close(), acct.close()]);
    });
  },
  { name: 'radius', dependencies: ['metrics', 'redis'] },
);
