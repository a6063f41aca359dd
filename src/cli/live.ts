// What CLI commands need to act on live sessions: admission and enforcement over the store,
// with a CoA socket opened only when a command sends something.
import { createEnforcer, type Enforcer } from '../enforcement/enforcer.js';
import { createLogger } from '../logger.js';
import { createAdmission, type Admit } from '../enforcement/admission.js';
import { createCoaClient } from '../radius/coa-client.js';
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
    now: Date.now,
  });
  const coa = createCoaClient();
  // The CLI reports outcomes itself; its log only speaks of problems.
  const enforcer = createEnforcer({ store, coa, admit, log: createLogger('silent') });
  return { admit, enforcer, close: () => coa.close() };
}
