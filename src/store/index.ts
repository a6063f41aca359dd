// The store: every entity module over one Redis connection.
import type { Redis } from 'ioredis';
import { createAccountStore } from './accounts.js';
import { createApiTokenStore } from './api-tokens.js';
import { createAuditStore } from './audit.js';
import { createContentCategoryStore } from './content-categories.js';
import { createContentNetworkStore } from './content-networks.js';
import { createContentProfileStore } from './content-profiles.js';
import { createDeviceStore } from './devices.js';
import { createFocusStore } from './focus.js';
import { createGroupStore } from './groups.js';
import { createSiteRequestStore } from './site-requests.js';
import { createQueryLogStore } from './query-log.js';
import { forgetUser } from './forget.js';
import { createGuestSettingsStore } from './guest-settings.js';
import { createGuestStore } from './guests.js';
import { createNasStore } from './nas.js';
import { createPolicyStore } from './policies.js';
import { createRetentionStore } from './retention.js';
import { createRoleStore } from './roles.js';
import { createSchoolStore } from './schools.js';
import { createSessionStore } from './sessions.js';
import { createStatsStore } from './stats.js';
import { createTokenStore } from './tokens.js';
import { createUserStore } from './users.js';
import { createVoucherStore } from './vouchers.js';
import type { Actor } from './write.js';

export function createStore(redis: Redis) {
  const schools = createSchoolStore(redis);
  const roles = createRoleStore(redis);
  const checks = { requireSchool: (id: string) => schools.require(id), requireRole: (name: string) => roles.require(name) };
  return {
    schools,
    roles,
    nas: createNasStore(redis, checks.requireSchool),
    users: createUserStore(redis, checks),
    accounts: createAccountStore(redis, checks),
    apiTokens: createApiTokenStore(redis),
    policies: createPolicyStore(redis, checks),
    audit: createAuditStore(redis),
    devices: createDeviceStore(redis, checks),
    tokens: createTokenStore(redis),
    guests: createGuestStore(redis),
    guestSettings: createGuestSettingsStore(redis),
    vouchers: createVoucherStore(redis, checks),
    sessions: createSessionStore(redis),
    stats: createStatsStore(redis),
    retention: createRetentionStore(redis),
    forget: (username: string, actor: Actor) => forgetUser(redis, username, actor),
    focus: createFocusStore(redis),
    groups: createGroupStore(redis, checks.requireSchool),
    siteRequests: createSiteRequestStore(redis),
    queryLog: createQueryLogStore(redis),
    content: {
      profiles: createContentProfileStore(redis, checks.requireSchool),
      categories: createContentCategoryStore(redis),
      networks: createContentNetworkStore(redis, checks.requireSchool),
    },
  };
}

export type Store = ReturnType<typeof createStore>;
