// The RADIUS authentication and accounting listeners, with the transport and handlers behind them.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { createAccessHandler } from '../radius/handlers/access.js';
import { createAccountingHandler } from '../radius/handlers/accounting.js';
import { createStatusHandler } from '../radius/handlers/status.js';
import type { Handler } from '../radius/handlers/types.js';
import { countingDecisions } from '../radius/auth-log.js';
import { openListener, type Listener } from '../radius/listener.js';
import { Code } from '../radius-wire/packet.js';
import { createTransport, DEFAULT_REJECT_DELAY_MS } from '../radius/transport.js';
import { startScheduleSweeper } from '../enforcement/schedule-sweeper.js';
import { startVoucherSweeper } from '../enforcement/voucher-sweeper.js';
import { startGuestSweeper } from '../enforcement/guest-sweeper.js';
import { createAttemptLimiter } from '../store/attempts.js';
import { createRememberConfirmed } from '../portal/remember.js';
import { createLoginTally, createNasLastSeen } from '../store/stats.js';
import { readiness } from './health.js';
import { createClaim } from '../redis/claim.js';
import { keys } from '../store/keys.js';

/** A quota end not confirmed by then may be sent again by the next Interim-Update. */
const QUOTA_END_RETRY_MS = 30_000;

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
    const { policies, schools, devices, admit, enforcer, failed } = app.services;
    const system = 'system:radius';
    const access = createAccessHandler({
      users: store.users,
      devices,
      tokens: store.tokens,
      vouchers: store.vouchers,
      admit,
      attempts: createAttemptLimiter(app.redis),
      evict: (ids) => {
        for (const id of ids) void enforcer.disconnectById(id, 'device limit: the oldest device makes room', system).catch(failed('eviction'));
      },
      now: Date.now,
      remember: createRememberConfirmed(store.devices, log, Date.now),
    });
    const accounting = createAccountingHandler({
      // Closing an access point's sessions after Accounting-On is bulk work whose answer may come
      // late (the AP retransmits until answered): its batches run on the connection without the
      // per-command bound, so a busy Redis slows a power-cut storm down instead of failing it.
      sessions: { ...store.sessions, closeAccessPoint: app.managementStore.sessions.closeAccessPoint },
      classes: app.services.classes,
      schools,
      policies,
      replicated: app.redisReplicated,
      // An Interim-Update sent to both RADIUS servers must not end the session twice.
      claimQuotaEnd: createClaim(app.redis, keys.quotaEndLock, QUOTA_END_RETRY_MS),
      quotaReached: (session, message) => void enforcer.disconnect(session, message, system).catch(failed('quota disconnect')),
      log,
      now: Date.now,
    });
    const stopSweeper = startScheduleSweeper({
      redis: app.redis, sessions: store.sessions, policies, schools, log,
      disconnect: (session, reason) => enforcer.disconnect(session, reason, system),
    });
    const stopGuestSweeper = startGuestSweeper({
      redis: app.redis, guests: store.guests, devices: store.devices, sessions: store.sessions, log, disconnect: (session, reason, actor) => enforcer.disconnect(session, reason, actor),
    });
    const stopVoucherSweeper = startVoucherSweeper({
      redis: app.redis, vouchers: store.vouchers, sessions: store.sessions, log,
      disconnect: (session, reason) => enforcer.disconnect(session, reason, system),
    });
    // Status-Server asks what /readyz asks; before the listeners are decorated it is not ready.
    const ready = () => readiness(app).then((state) => state.ready, () => false);
    // The dashboard's figures: each login decision counted, and when each NAS was last heard
    // (only traffic that passed the transport's checks reaches a handler).
    const statsFailed = () => app.metrics.redisErrors.inc();
    const tally = createLoginTally(app.redis, statsFailed);
    const counted = countingDecisions(access, (outcome, record, nas) => tally.count(outcome, { role: record.role, school: record.school ?? nas.school }));
    const lastSeen = createNasLastSeen(app.redis, statsFailed);
    const heard = (handler: Handler): Handler => (context) => {
      lastSeen.seen(context.nas.address);
      return handler(context);
    };
    const transport = createTransport({
      directory: app.nasDirectory,
      handlers: { [Code.AccessRequest]: heard(counted), [Code.AccountingRequest]: heard(accounting), [Code.StatusServer]: heard(createStatusHandler(ready)) },
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
      stopSweeper();
      stopVoucherSweeper();
      stopGuestSweeper();
      transport.close();
      await Promise.all([auth.close(), acct.close()]);
      await tally.close();
    });
  },
  { name: 'radius', dependencies: ['metrics', 'redis', 'services'] },
);
