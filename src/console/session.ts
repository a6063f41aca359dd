// Who is signed in to the console, decided once per request: the signed cookie names a session
// in Redis; the account behind it must still exist, be active and not have changed its password
// since the session began (a change through the CLI or the API counts too). Anything else signs
// the browser out, with one info line saying why.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Principal } from '../services/principal.js';
import type { Account, AccountStore } from '../store/accounts.js';
import type { ConsoleSession, ConsoleSessionStore } from '../store/console-sessions.js';

export const SESSION_COOKIE = 'mk_console';

export interface SignedIn {
  session: ConsoleSession;
  account: Account;
  principal: Principal;
}

export function principalOf(account: Account, source: string): Principal {
  if (account.role === 'region-admin') return { kind: 'region-admin', username: account.username, source };
  return { kind: account.role, username: account.username, school: account.school ?? '', source };
}

export interface SessionGateDeps {
  sessions: ConsoleSessionStore;
  accounts: Pick<AccountStore, 'get'>;
  log: Pick<Logger, 'info'>;
  secure: boolean;
}

export function createSessionGate({ sessions, accounts, log, secure }: SessionGateDeps) {
  function forget(reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, { path: '/console' });
  }

  return {
    /** Sets the session cookie: HttpOnly, SameSite=Strict, Secure on https, no Max-Age (the server decides). */
    begin(reply: FastifyReply, session: ConsoleSession): void {
      void reply.setCookie(SESSION_COOKIE, session.id, { path: '/console', httpOnly: true, sameSite: 'strict', secure, signed: true });
    },

    forget,

    async load(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
      const raw = request.cookies[SESSION_COOKIE];
      if (!raw) return undefined;
      const unsigned = request.unsignCookie(raw);
      if (!unsigned.valid || !unsigned.value) {
        forget(reply);
        return undefined;
      }
      const found = await sessions.find(unsigned.value);
      if ('ended' in found) {
        if (found.ended !== 'unknown') log.info({ reason: found.ended, source: request.ip }, 'console: session ended');
        forget(reply);
        return undefined;
      }
      const { session } = found;
      const account = await accounts.get(session.username);
      const changed = account?.passwordChangedAt ? Date.parse(account.passwordChangedAt) : undefined;
      const reason = !account ? 'account-removed' : account.status === 'disabled' ? 'account-disabled' : changed !== undefined && changed > session.createdAt ? 'password-changed' : undefined;
      if (reason || !account) {
        log.info({ user: session.username, reason, source: request.ip }, 'console: signed out');
        await sessions.end(session.id, session.username);
        forget(reply);
        return undefined;
      }
      await sessions.touch(session);
      return { session, account, principal: principalOf(account, request.ip) };
    },
  };
}

export type SessionGate = ReturnType<typeof createSessionGate>;
