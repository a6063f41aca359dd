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

/** The policy's fields a grant carries as they are, in this order. */
const COPIED = ['idleTimeout', 'downRate', 'upRate', 'burstDownRate', 'burstUpRate', 'burstSeconds', 'filterId', 'vlan'] as const;

/** The smaller of two timeouts, either possibly absent. */
function sooner(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined || a <= b ? a : b;
}

// No array or spread per call: this runs for every accept.
export function grantFrom(role: string, policy: Policy, limits: GrantLimits, className: string): Grant {
  const untilEnd = limits.validUntil === undefined ? undefined : Math.max(1, Math.floor((limits.validUntil - limits.now) / 1000));
  const sessionTimeout = sooner(sooner(policy.sessionTimeout, limits.scheduleLeft), untilEnd);
  const grant: Grant = { role, interimInterval: policy.interimInterval ?? DEFAULT_INTERIM_SECONDS, className };
  if (sessionTimeout !== undefined) grant.sessionTimeout = sessionTimeout;
  if (limits.dataLeft !== undefined) grant.dataLeft = limits.dataLeft;
  for (const field of COPIED) {
    if (policy[field] !== undefined) (grant as unknown as Record<string, unknown>)[field] = policy[field];
  }
  return grant;
}
