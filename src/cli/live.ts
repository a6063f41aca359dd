// What CLI commands need to act on live sessions: admission and enforcement over the store,
// with a CoA socket opened only when a command sends something.
import { randomBytes } from 'node:crypto';
import { createAdmission, type Admit } from '../enforcement/admission.js';
import { createEnforcer, type Enforcer } from '../enforcement/enforcer.js';
import { createLogger } from '../logger.js';
import { createClassSigner } from '../radius-wire/class-attribute.js';
import { createCoaClient } from '../radius-wire/coa-client.js';
import type { ServiceDeps } from '../services/index.js';
import type { Store } from '../store/index.js';
import { DEFAULT_TIMEZONE } from '../store/schools.js';

export interface Live {
  admit: Admit;
  enforcer: Enforcer;
  close(): void;
}

export async function openLive(store: Store): Promise<Live> {
  const zones = new Map((await store.schools.list()).map((school) => [school.id, school.timezone]));
  const admit = createAdmission({
    policies: { effective: async (role, school) => (await store.policies.view(role, school)).effective },
    schools: { timeZone: (id) => (id === undefined ? undefined : zones.get(id)) ?? DEFAULT_TIMEZONE },
    sessions: store.sessions,
    // The CLI never sends a Class (CoA leaves it out); `policy preview` shows its shape only.
    classes: createClassSigner(randomBytes(32).toString('base64')),
    now: Date.now,
  });
  const coa = createCoaClient();
  // The CLI reports outcomes itself; its log only speaks of problems.
  const enforcer = createEnforcer({ store, coa, admit, log: createLogger('silent') });
  return { admit, enforcer, close: () => coa.close() };
}

/** Admission and enforcement for the services, opened by the first command that uses them. */
export function lazyLive(store: Store): Pick<ServiceDeps, 'enforcer' | 'admit'> & { close(): Promise<void> } {
  let opened: Promise<Live> | undefined;
  const live = () => (opened ??= openLive(store));
  return {
    enforcer: {
      applyPolicy: async (...args) => (await live()).enforcer.applyPolicy(...args),
      disconnectUser: async (...args) => (await live()).enforcer.disconnectUser(...args),
      disconnect: async (...args) => (await live()).enforcer.disconnect(...args),
    },
    admit: async (...args) => (await live()).admit(...args),
    async close() {
      if (opened) (await opened).close();
    },
  };
}
