// The RADIUS authentication and accounting listeners, with the transport and handlers behind them.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { createAccessHandler } from '../radius/handlers/access.js';
import { createAccountingHandler } from '../radius/handlers/accounting.js';
import { handleStatus } from '../radius/handlers/status.js';
import { openListener, type Listener } from '../radius/listener.js';
import { Code } from '../radius/packet.js';
import { createTransport, DEFAULT_REJECT_DELAY_MS } from '../radius/transport.js';
import { createAttemptLimiter } from '../store/attempts.js';
import { createDeviceDirectory } from '../store/device-directory.js';
import { createPolicyCache } from '../store/policy-cache.js';

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
    const log = app.log.child({ component: 'radius' }) as Logger;
    const { store } = app;
    const access = createAccessHandler({
      users: store.users,
      devices: await createDeviceDirectory(store.devices, app.changes, (error) => log.warn({ err: error }, 'device reload failed')),
      tokens: store.tokens,
      vouchers: store.vouchers,
      policies: createPolicyCache(store.policies, app.changes),
      attempts: createAttemptLimiter(app.redis),
      now: Date.now,
    });
    const transport = createTransport({
      directory: app.nasDirectory,
      handlers: { [Code.AccessRequest]: access, [Code.AccountingRequest]: createAccountingHandler(store.sessions, log), [Code.StatusServer]: handleStatus },
      metrics: app.metrics,
      log,
      rejectDelayMs: (nas) => nas.rejectDelayMs ?? DEFAULT_REJECT_DELAY_MS,
    });

    const onError = (error: Error) => log.error({ err: error }, 'radius socket error');
    const auth = await openListener({ name: 'RADIUS authentication', host: options.host, port: options.authPort, onMessage: transport.receive('auth'), onError });
    const acct = await openListener({ name: 'RADIUS accounting', host: options.host, port: options.acctPort, onMessage: transport.receive('acct'), onError }).catch(async (error: unknown) => {
      await auth.close();
      throw error;
    });
    app.decorate('radius', { auth, acct });
    log.info({ auth: auth.port(), acct: acct.port(), receiveBuffer: auth.receiveBufferSize }, 'radius listening');
    app.addHook('onClose', async () => {
      transport.close();
      await Promise.all([auth.close(), acct.close()]);
    });
  },
  { name: 'radius', dependencies: ['metrics', 'redis'] },
);
