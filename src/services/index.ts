// The actions people take, each with a principal first (see principal.ts). The console, the API,
// the CLI and the portal all call these, so they cannot drift apart. One factory builds them
// from the store and live enforcement; each service takes only the functions it uses.
import type { Admit } from '../enforcement/admission.js';
import type { Enforcer } from '../enforcement/enforcer.js';
import type { Store } from '../store/index.js';
import { createAccountService } from './accounts.js';
import { createAuditService } from './audit.js';
import { createDeviceService } from './devices.js';
import { createNasService } from './nas.js';
import { createPolicyService } from './policies.js';
import { createSchoolService } from './schools.js';
import { createSessionService } from './sessions.js';
import { createUserService } from './users.js';
import { createVoucherService } from './vouchers.js';

export interface ServiceDeps {
  store: Pick<Store, 'schools' | 'roles' | 'nas' | 'users' | 'accounts' | 'policies' | 'devices' | 'vouchers' | 'sessions' | 'audit'>;
  enforcer: Pick<Enforcer, 'applyPolicy' | 'disconnectUser' | 'disconnect'>;
  admit: Admit;
}

export function createServices({ store, enforcer, admit }: ServiceDeps) {
  return {
    schools: createSchoolService(store),
    nas: createNasService(store),
    users: createUserService({ users: store.users, enforcer }),
    accounts: createAccountService(store),
    policies: createPolicyService({ ...store, enforcer, admit }),
    devices: createDeviceService(store),
    vouchers: createVoucherService(store),
    sessions: createSessionService({ ...store, enforcer }),
    audit: createAuditService(store),
  };
}

export type Services = ReturnType<typeof createServices>;
export type { Principal } from './principal.js';
