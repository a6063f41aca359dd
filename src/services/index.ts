// The actions people take, each with a principal first (see principal.ts). The console, the API,
// the CLI and the portal all call these, so they cannot drift apart. One factory builds them
// from the store and live enforcement; each service takes only the functions it uses.
import type { Logger } from 'pino';
import type { Admit } from '../enforcement/admission.js';
import type { Enforcer } from '../enforcement/enforcer.js';
import type { Readiness } from './dashboard.js';
import { isCodedError } from '../errors.js';
import type { Store } from '../store/index.js';
import { createAccountService } from './accounts.js';
import { createAuditService } from './audit.js';
import { createContentService } from './content.js';
import { createDashboardService } from './dashboard.js';
import { createDeviceService } from './devices.js';
import { createFocusService } from './focus.js';
import { createGroupService } from './groups.js';
import { createSiteRequestService } from './site-requests.js';
import { createQueryLogService } from './query-log.js';
import { createGuestService } from './guests.js';
import { createNasService } from './nas.js';
import { createPolicyService } from './policies.js';
import { createRetentionService } from './retention.js';
import { auditActor, type Principal } from './principal.js';
import { createSchoolService } from './schools.js';
import { createSessionService } from './sessions.js';
import { createTokenService } from './tokens.js';
import { createUserService } from './users.js';
import { createVoucherService } from './vouchers.js';

export interface ServiceDeps {
  store: Pick<Store, 'schools' | 'roles' | 'nas' | 'users' | 'accounts' | 'policies' | 'devices' | 'vouchers' | 'sessions' | 'audit' | 'content' | 'apiTokens' | 'stats' | 'retention' | 'forget' | 'guests' | 'guestSettings' | 'focus' | 'groups' | 'siteRequests' | 'queryLog'>;
  enforcer: Pick<Enforcer, 'applyPolicy' | 'disconnectUser' | 'disconnect'>;
  admit: Admit;
  /** Redis and RADIUS readiness for the dashboard (/readyz's answer); absent in the CLI. */
  health?: () => Promise<Readiness>;
  /** Where refusals (403, and 404 for things out of scope) are logged, one info line each. */
  log?: Pick<Logger, 'info'>;
}

type Actions = Record<string, (principal: Principal, ...rest: never[]) => Promise<unknown>>;

/** Each refused action leaves one searchable line: who, what, and the code it got. */
function logRefusals<T extends Actions>(area: string, service: T, log: Pick<Logger, 'info'> | undefined): T {
  if (!log) return service;
  const wrapped = Object.entries(service).map(([name, action]) => [name, async (principal: Principal, ...rest: never[]) => {
    try {
      return await action(principal, ...rest);
    } catch (error) {
      if (isCodedError(error) && (error.statusCode === 403 || error.statusCode === 404)) {
        log.info({ actor: auditActor(principal), action: `${area}.${name}`, code: error.code }, `${area}.${name} refused`);
      }
      throw error;
    }
  }]);
  return Object.fromEntries(wrapped) as T;
}

export function createServices({ store, enforcer, admit, health, log }: ServiceDeps) {
  return {
    schools: logRefusals('schools', createSchoolService(store), log),
    nas: logRefusals('nas', createNasService(store), log),
    users: logRefusals('users', createUserService({ users: store.users, enforcer }), log),
    accounts: logRefusals('accounts', createAccountService(store), log),
    policies: logRefusals('policies', createPolicyService({ ...store, enforcer, admit }), log),
    devices: logRefusals('devices', createDeviceService(store), log),
    vouchers: logRefusals('vouchers', createVoucherService({ ...store, enforcer }), log),
    sessions: logRefusals('sessions', createSessionService({ ...store, enforcer }), log),
    audit: logRefusals('audit', createAuditService(store), log),
    content: logRefusals('content', createContentService(store), log),
    tokens: logRefusals('tokens', createTokenService(store), log),
    retention: logRefusals('retention', createRetentionService({ ...store, enforcer }), log),
    guests: logRefusals('guests', createGuestService({ ...store, enforcer, log }), log),
    focus: logRefusals('focus', createFocusService({ ...store, log }), log),
    groups: logRefusals('groups', createGroupService({ ...store, log }), log),
    siteRequests: logRefusals('siteRequests', createSiteRequestService({ ...store, log }), log),
    queryLog: logRefusals('queryLog', createQueryLogService({ ...store, log }), log),
    dashboard: logRefusals('dashboard', createDashboardService({ ...store, ...(health ? { health } : {}) }), log),
  };
}

export type Services = ReturnType<typeof createServices>;
export type { Principal } from './principal.js';
