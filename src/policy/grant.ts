// What an Access-Accept grants, worked out from the role's effective policy and the limits of
// the account or device (expiry). Pure: the clock is a parameter.
import type { Policy } from './fields.js';

/** Interim updates every 5 minutes unless the policy says otherwise: quotas need fresh counters. */
export const DEFAULT_INTERIM_SECONDS = 300;

export interface Grant {
  role: string;
  sessionTimeout?: number;
  idleTimeout?: number;
  interimInterval: number;
  downRate?: number;
  upRate?: number;
  burstDownRate?: number;
  burstUpRate?: number;
  burstSeconds?: number;
  /** Bytes the session may still use (quota minus usage), when a quota applies. */
  dataLeft?: number;
  filterId?: string;
  vlan?: number;
  /** Echoed by the NAS in accounting, tying sessions back to this login. */
  className: string;
}

export interface GrantLimits {
  now: number;
  /** Epoch ms after which the account or device is no longer valid. */
  validUntil?: number;
  /** Seconds until the schedule window closes. */
  scheduleLeft?: number;
  /** Bytes left of the quotas. */
  dataLeft?: number;
}

export function grantFrom(role: string, policy: Policy, limits: GrantLimits, className: string): Grant {
  const timeouts = [
    policy.sessionTimeout,
    limits.scheduleLeft,
    limits.validUntil === undefined ? undefined : Math.max(1, Math.floor((limits.validUntil - limits.now) / 1000)),
  ].filter((value): value is number => value !== undefined);
  const grant: Grant = { role, interimInterval: policy.interimInterval ?? DEFAULT_INTERIM_SECONDS, className };
  if (timeouts.length > 0) grant.sessionTimeout = Math.min(...timeouts);
  if (limits.dataLeft !== undefined) grant.dataLeft = limits.dataLeft;
  for (const field of ['idleTimeout', 'downRate', 'upRate', 'burstDownRate', 'burstUpRate', 'burstSeconds', 'filterId', 'vlan'] as const) {
    if (policy[field] !== undefined) (grant as unknown as Record<string, unknown>)[field] = policy[field];
  }
  return grant;
}
