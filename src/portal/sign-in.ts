// Signing in on the portal: the attempt counted against the lockout before anything is checked,
// the password checked in the portal's lane (the same scrypt work for an unknown username, so
// neither timing nor answer tells whether it exists), account state, the role's decision (so a
// refusal is explained here, in the person's language, not by a silent access point), then a
// one-time RADIUS credential bound to the device and NAS, and the vendor's release. "Remember
// this device" rides in the credential: the RADIUS side applies it once the AP has presented
// the credential from that MAC.
import type { Admit } from '../enforcement/admission.js';
import type { RejectReason } from '../policy/decide.js';
import { checkPassword } from '../security/password.js';
import type { LoginGuard } from '../store/login-guard.js';
import { isLocallyAdministered } from '../store/mac.js';
import type { NasClient } from '../store/nas.js';
import type { PolicyCache } from '../store/policy-cache.js';
import type { TokenStore } from '../store/tokens.js';
import { normalizeUsername, type UserStore } from '../store/users.js';
import { dialectFor } from '../vendors/portal/index.js';
import type { Release } from '../vendors/portal/types.js';
import type { PortalContext } from './context.js';
import type { Messages } from '../i18n/languages.js';

export const DEFAULT_REMEMBER_SECONDS = 7 * 86_400;

export type SignInResult =
  | { ok: true; release: Release; user: string; remember: boolean }
  | { ok: false; error: keyof Messages; status: number; username?: string };

export interface SignInForm {
  username: string;
  password: string;
  remember: boolean;
}

export interface SignInDeps {
  users: Pick<UserStore, 'get'>;
  guard: LoginGuard;
  admit: Admit;
  tokens: Pick<TokenStore, 'mint'>;
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
  /** Throws PasswordBusyError when the portal's password checks are full: the attempt is then not counted. */
  return async function signIn(context: PortalContext, nas: NasClient, form: SignInForm, client: string): Promise<SignInResult> {
    let username: string;
    try {
      username = normalizeUsername(form.username);
    } catch {
      return { ok: false, error: 'errorInvalid', status: 401 };
    }
    const mac = context.clientMac;
    const lock = await deps.guard.attempt(username, mac);
    if (lock) return { ok: false, error: lock === 'user' ? 'errorUserLocked' : 'errorDeviceLocked', status: 429, username };

    const user = await deps.users.get(username);
    let matches: boolean;
    try {
      matches = await checkPassword(form.password, user?.passwordHash, { kind: 'portal', client });
    } catch (error) {
      await deps.guard.giveBack(username, mac);
      throw error;
    }
    if (!user || !matches) return { ok: false, error: 'errorInvalid', status: 401, username };
    await deps.guard.succeeded(username, mac);
    if (user.status === 'disabled') return { ok: false, error: 'errorDisabled', status: 403, username };
    const validUntil = user.expiresAt ? Date.parse(user.expiresAt) : undefined;
    if (validUntil !== undefined && validUntil <= deps.now()) return { ok: false, error: 'errorExpired', status: 403, username };

    const school = user.school ?? nas.school;
    const login = { kind: 'user' as const, subject: user.username, role: user.role, ...(school ? { school } : {}) };
    const { decision } = await deps.admit(nas.vendor, login, { validUntil, mac });
    if (!decision.accept) return { ok: false, error: REASONS[decision.reason], status: 403, username };

    const rememberFor = form.remember && mac ? ((await deps.policies.effective(user.role, school)).rememberFor ?? DEFAULT_REMEMBER_SECONDS) : undefined;
    // Bound to this device and NAS, single use, two minutes: useless to anyone who sees it.
    const token = await deps.tokens.mint({
      mac: mac ?? '', nas: nas.address, role: user.role, user: user.username,
      ...(school ? { school } : {}), ...(rememberFor ? { rememberFor: String(rememberFor) } : {}),
    });
    return { ok: true, release: dialectFor(context.vendor).release(context, token, nas), user: user.username, remember: rememberFor !== undefined };
  };
}

export function isPrivateMac(mac: string | undefined): boolean {
  return mac !== undefined && isLocallyAdministered(mac);
}

export type SignIn = ReturnType<typeof createSignIn>;
