// What every console route gets from the console plugin: rendering, the session gate and store,
// the audit log and the services (called with the signed-in person's principal).
import type { Services } from '../services/index.js';
import type { AuditStore } from '../store/audit.js';
import type { ConsoleSessionStore } from '../store/console-sessions.js';
import type { Render } from './render.js';
import type { SessionGate, SignedIn } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The console's signed-in person; null on public pages (sign-in, assets, error pages). */
    signedIn: SignedIn | null;
  }
  interface FastifyContextConfig {
    /** A console route open without signing in. */
    public?: boolean;
  }
}

export interface ConsoleKit {
  render: Render;
  gate: SessionGate;
  sessions: ConsoleSessionStore;
  audit: Pick<AuditStore, 'record'>;
  services: Services;
}
