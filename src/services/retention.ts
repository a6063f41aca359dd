// Retention of personal data (issue 13): the region's periods, and forgetting one person.
// Region-wide principals only: the periods are the region's, and forgetting is irreversible.
import type { Enforcer } from '../enforcement/enforcer.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Forgotten } from '../store/forget.js';
import { RETENTION_LIMITS, type Retention, type RetentionStore } from '../store/retention.js';
import type { Actor } from '../store/write.js';
import { allow, auditActor, auditOf, REGION_WIDE, type Principal } from './principal.js';

export interface RetentionServiceDeps {
  retention: Pick<RetentionStore, 'get' | 'set'>;
  forget: (username: string, actor: Actor) => Promise<Forgotten>;
  users: { get(username: string): Promise<{ username: string } | undefined> };
  enforcer: Pick<Enforcer, 'disconnectUser'>;
}

export function createRetentionService({ retention, forget, users, enforcer }: RetentionServiceDeps) {
  return {
    async show(principal: Principal): Promise<Retention> {
      allow(principal, REGION_WIDE, 'see the retention periods');
      return retention.get();
    },

    async set(principal: Principal, changes: Partial<Retention>): Promise<Retention> {
      allow(principal, REGION_WIDE, 'change the retention periods');
      for (const [name, days] of Object.entries(changes)) {
        if (days !== undefined && (!Number.isInteger(days) || days < RETENTION_LIMITS.min || days > RETENTION_LIMITS.max)) {
          throw new ValidationError(`${name} must be a whole number of days from ${RETENTION_LIMITS.min} to ${RETENTION_LIMITS.max}`);
        }
      }
      return retention.set(changes, auditOf(principal));
    },

    /** Ends the person's live sessions, then removes their personal data everywhere. */
    async forgetUser(principal: Principal, username: string): Promise<Forgotten> {
      allow(principal, REGION_WIDE, 'forget users');
      // Found however it is spelled ("Alice", " alice"); every step uses the name as stored.
      const user = await users.get(username);
      if (!user) throw new NotFoundError(`user "${username}" does not exist`);
      await enforcer.disconnectUser(user.username, 'personal data forgotten', auditActor(principal));
      return forget(user.username, auditOf(principal));
    },
  };
}
