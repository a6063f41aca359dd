// The access decision: from the role's effective policy, the school's clock, what the user has
// used and which devices are online, decide accept or reject and what the session gets. Pure;
// table-tested in test/unit/decide.test.ts.
import type { Policy } from './fields.js';
import { grantFrom, type Grant, type GrantLimits } from './grant.js';
import { secondsLeftInSchedule } from './schedule.js';

export interface LiveSession {
  id: string;
  mac?: string;
  startedAt: number;
}

export interface DecisionInput {
  role: string;
  policy: Policy;
  timeZone: string;
  now: number;
  className: string;
  /** Epoch ms when the account, device or voucher stops being valid. */
  validUntil?: number;
  /** Bytes used today and this month (school time), when quotas apply. */
  usage?: { today: number; month: number };
  /** The user's live sessions (the device limit counts them). */
  sessions?: LiveSession[];
  /** The device asking; its own earlier session does not count against the limit. */
  mac?: string;
}

export type RejectReason = 'outside-schedule' | 'daily-quota' | 'monthly-quota' | 'device-limit';

export type Decision =
  | { accept: true; grant: Grant; evict: LiveSession[] }
  | { accept: false; reason: RejectReason; message: string };

export const REJECT_MESSAGES: Record<RejectReason, string> = {
  'outside-schedule': 'Wi-Fi is closed for your role at this time',
  'daily-quota': 'Your daily data allowance is used up; it renews at midnight',
  'monthly-quota': 'Your monthly data allowance is used up; it renews on the 1st',
  'device-limit': 'You are online on too many devices; disconnect one first',
};

const NO_USAGE = { today: 0, month: 0 };

function reject(reason: RejectReason): Decision {
  return { accept: false, reason, message: REJECT_MESSAGES[reason] };
}

/** The quota used up, if any, else the bytes left (undefined without quotas). */
export function quotaState(policy: Policy, usage: { today: number; month: number }): { over: 'daily-quota' | 'monthly-quota' } | { left: number | undefined } {
  if (policy.dailyQuota !== undefined && usage.today >= policy.dailyQuota) return { over: 'daily-quota' };
  if (policy.monthlyQuota !== undefined && usage.month >= policy.monthlyQuota) return { over: 'monthly-quota' };
  const left = [policy.dailyQuota === undefined ? undefined : policy.dailyQuota - usage.today, policy.monthlyQuota === undefined ? undefined : policy.monthlyQuota - usage.month]
    .filter((value): value is number => value !== undefined);
  return { left: left.length ? Math.min(...left) : undefined };
}

export function decide(input: DecisionInput): Decision {
  const { policy } = input;
  const scheduleLeft = secondsLeftInSchedule(policy.schedule, input.now, input.timeZone);
  if (scheduleLeft === 0) return reject('outside-schedule');

  // Without quotas there is nothing to work out (the common case, at every accept).
  let dataLeft: number | undefined;
  if (policy.dailyQuota !== undefined || policy.monthlyQuota !== undefined) {
    const quota = quotaState(policy, input.usage ?? NO_USAGE);
    if ('over' in quota) return reject(quota.over);
    dataLeft = quota.left;
  }

  let evict: LiveSession[] = [];
  if (policy.maxDevices !== undefined) {
    const others = (input.sessions ?? []).filter((session) => !input.mac || session.mac !== input.mac);
    const excess = others.length - policy.maxDevices + 1;
    if (excess > 0) {
      if (policy.deviceLimitMode !== 'evict-oldest') return reject('device-limit');
      evict = [...others].sort((a, b) => a.startedAt - b.startedAt).slice(0, excess);
    }
  }

  // Filled in rather than spread together.
  const limits: GrantLimits = { now: input.now };
  if (input.validUntil !== undefined) limits.validUntil = input.validUntil;
  if (scheduleLeft !== undefined) limits.scheduleLeft = scheduleLeft;
  if (dataLeft !== undefined) limits.dataLeft = dataLeft;
  return { accept: true, grant: grantFrom(input.role, policy, limits, input.className), evict };
}
