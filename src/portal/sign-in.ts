// Signing in on the portal: lockout, password, account state, the role's decision (so a
// refusal is explained here, in the person's language, not by a silent access point), then a
// one-time RADIUS credential bound to the device and NAS, the device remembered if asked, and
// the vendor's release.
import type { Admit } from '../enforcement/admission.js';
import type { RejectReason } from '../policy/decide.js';
import { verifyPassword } from '../security/password.js';
import type { DeviceStore } from '../store/devices.js';
import type { LoginGuard } from '../store/login-guard.js';
import { isLocallyAdministered } from '../store/mac.js';
import type { NasClient } from '../store/nas.js';
import type { PolicyCache } from '../store/policy-cache.js';
import type { TokenStore } from '../store/tokens.js';
import { normalizeUsername, type UserStore } from '../store/users.js';
import { dialectFor } from '../vendors/portal/index.js';
import type { Release } from '../vendors/portal/types.js';
import type { PortalContext } from './context.js';
import type { Messages } from './messages/en.js';

export const DEFAULT_REMEMBER_SECONDS = 7 * 86_400;

export type SignInResult =
  | { ok: true; release: Release; user: string; remembered: boolean }
  | { ok: false; error: keyof Messages; status: number };

export interface SignInDeps {
  users: Pick<UserStore, 'get'>;
  guard: LoginGuard;
  admit: Admit;
  tokens: Pick<TokenStore, 'mint'>;
  devices: Pick<DeviceStore, 'add'>;
  policies: PolicyCache;
  now: () => number;
}

const REASONS: Record<RejectReason, keyof Messages> = {
  'outside-schedule': 'errorSchedule',
  'daily-quota': 'errorDailyQuota',
  'monthly-quota': 'errorMonthlyQuota',
  'device-limit': 'errorDeviceLimit',
};

export function createSignIn(deps: SignInDeps) {
  return async function signIn(context: PortalContext, nas: NasClient | undefined, form: { username: string; password: string; remember: boolean }): Promise<SignInResult> {
    let username: string;
    try {
      username = normalizeUsername(form.username);
    } catch {
      return { ok: false, error: 'errorInvalid', status: 401 };
    }
    const mac = context.clientMac;
    const lock = await deps.guard.locked(username, mac);
    if (lock) return { ok: false, error: lock === 'user' ? 'errorUserLocked' : 'errorDeviceLocked', status: 429 };

    const user = await deps.users.get(username);
    if (!user || !(await verifyPassword(form.password, user.passwordHash))) {
      await deps.guard.failed(username, mac);
      return { ok: false, error: 'errorInvalid', status: 401 };
    }
    await deps.guard.succeeded(username);
    if (user.status === 'disabled') return { ok: false, error: 'errorDisabled', status: 403 };
    const validUntil = user.expiresAt ? Date.parse(user.expiresAt) : undefined;
    if (validUntil !== undefined && validUntil <= deps.now()) return { ok: false, error: 'errorExpired', status: 403 };

    const school = user.school ?? nas?.school;
    const login = { kind: 'user' as const, subject: user.username, role: user.role, ...(school ? { school } : {}) };
    const { decision } = await deps.admit(nas?.vendor ?? context.vendor, login, { validUntil, mac });
    if (!decision.accept) return { ok: false, error: REASONS[decision.reason], status: 403 };

    // Bound to this device and NAS, single use, two minutes: useless to anyone who sees it.
    const token = await deps.tokens.mint({ mac: mac ?? '', nas: nas?.address ?? '', role: user.role, user: user.username, ...(school ? { school } : {}) });
    let remembered = false;
    if (form.remember && mac) {
      const policy = await deps.policies.effective(user.role, school);
      const until = new Date(deps.now() + (policy.rememberFor ?? DEFAULT_REMEMBER_SECONDS) * 1000).toISOString();
      await deps.devices.add({ mac, role: user.role, user: user.username, until, ...(school ? { school } : {}) }, `portal:${user.username}`, true);
      remembered = true;
    }
    return { ok: true, release: dialectFor(context.vendor).release(context, token, nas), user: user.username, remembered };
  };
}

export function isPrivateMac(mac: string | undefined): boolean {
  return mac !== undefined && isLocallyAdministered(mac);
}

export type SignIn = ReturnType<typeof createSignIn>;
