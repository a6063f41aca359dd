// Signing in to the console against console accounts (never Wi-Fi users): the attempt counted
// against the username's lockout before anything is checked, the password checked in the
// portal's lane of the password scheduler (RADIUS keeps its share of the thread pool; the same
// scrypt work for an unknown username), then a new session. Every outcome leaves one info line
// and one audit entry with the source address.
import type { Logger } from 'pino';
import type { Messages } from '../i18n/languages.js';
import { checkPassword } from '../security/password.js';
import type { Account, AccountStore } from '../store/accounts.js';
import type { AuditStore } from '../store/audit.js';
import type { ConsoleSession, ConsoleSessionStore } from '../store/console-sessions.js';
import type { LoginGuard } from '../store/login-guard.js';
import { normalizeUsername } from '../store/users.js';

export type ConsoleSignInResult =
  | { ok: true; session: ConsoleSession; account: Account }
  | { ok: false; error: keyof Messages; status: number; username?: string };

export interface ConsoleSignInDeps {
  accounts: Pick<AccountStore, 'get'>;
  guard: Pick<LoginGuard, 'attempt' | 'succeeded' | 'giveBack'>;
  sessions: Pick<ConsoleSessionStore, 'start'>;
  audit: Pick<AuditStore, 'record'>;
  log: Pick<Logger, 'info'>;
}

/** Lockout counters apart from the portal's: a Wi-Fi user and an account may share a name. */
const guardSubject = (username: string) => `console:${username}`;

export function createConsoleSignIn({ accounts, guard, sessions, audit, log }: ConsoleSignInDeps) {
  async function refused(username: string, source: string, reason: string, error: keyof Messages, status: number, school?: string): Promise<ConsoleSignInResult> {
    log.info({ user: username, source, reason }, 'console: sign-in refused');
    await audit.record({ actor: `account:${username}`, action: 'console.sign-in-refused', target: username, school, source, detail: { reason } });
    return { ok: false, error, status, username };
  }

  /** Throws PasswordBusyError when the password checks are full: the attempt then does not count. */
  return async function signIn(typed: string, password: string, source: string): Promise<ConsoleSignInResult> {
    let username: string;
    try {
      username = normalizeUsername(typed);
    } catch {
      // What was typed is not kept: it is not a username, and may well be a password.
      log.info({ source, reason: 'malformed-username' }, 'console: sign-in refused');
      await audit.record({ actor: 'console:unknown', action: 'console.sign-in-refused', target: '', source, detail: { reason: 'malformed-username' } });
      return { ok: false, error: 'errorInvalid', status: 401 };
    }
    const lock = await guard.attempt(guardSubject(username), undefined);
    if (lock) return refused(username, source, 'locked', 'errorUserLocked', 429);
    const account = await accounts.get(username);
    let matches: boolean;
    try {
      matches = await checkPassword(password, account?.passwordHash, { kind: 'portal', client: source });
    } catch (error) {
      await guard.giveBack(guardSubject(username), undefined);
      throw error;
    }
    if (!account || !matches) return refused(username, source, account ? 'wrong-password' : 'unknown-account', 'errorInvalid', 401, account?.school);
    await guard.succeeded(guardSubject(username), undefined);
    if (account.status === 'disabled') return refused(username, source, 'disabled', 'accountDisabled', 403, account.school);
    const session = await sessions.start(account.username);
    log.info({ user: account.username, role: account.role, school: account.school, source }, 'console: signed in');
    await audit.record({ actor: `account:${account.username}`, action: 'console.sign-in', target: account.username, school: account.school, source });
    return { ok: true, session, account };
  };
}

export type ConsoleSignIn = ReturnType<typeof createConsoleSignIn>;
