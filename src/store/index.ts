// The store: every entity module over one Redis connection.
import type { Redis } from 'ioredis';
import { createAuditStore } from './audit.js';
import { createDeviceStore } from './devices.js';
import { createNasStore } from './nas.js';
import { createPolicyStore } from './policies.js';
import { createRoleStore } from './roles.js';
import { createSchoolStore } from './schools.js';
import { createSessionStore } from './sessions.js';
import { createTokenStore } from './tokens.js';
import { createUserStore } from './users.js';
import { createVoucherStore } from './vouchers.js';

export function createStore(redis: Redis) {
  const schools = createSchoolStore(redis);
  const roles = createRoleStore(redis);
  const checks = { requireSchool: (id: string) => schools.require(id), requireRole: (name: string) => roles.require(name) };
  return {
    schools,
    roles,
    nas: createNasStore(redis, checks.requireSchool),
    users: createUserStore(redis, checks),
    policies: createPolicyStore(redis, checks),
    audit: createAuditStore(redis),
    devices: createDeviceStore(redis, checks),
    tokens: createTokenStore(redis),
    vouchers: createVoucherStore(redis, checks),
    sessions: createSessionStore(redis),
  };
}

export type Store = ReturnType<typeof createStore>;
