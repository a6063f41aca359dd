// REST API tokens: everyone with a console account makes tokens for themselves; region-wide
// principals for any account; a school admin for the accounts of their school. Listing and
// revoking follow the same scope, and a token out of scope is answered as not existing.
// A token acts as its owner's account, as the account is now: disabling the account stops it.
import { ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import { parseDuration } from '../policy/units.js';
import type { Account, AccountStore } from '../store/accounts.js';
import type { ApiToken, ApiTokenStore } from '../store/api-tokens.js';
import { expiry } from '../store/validate.js';
import { allow, auditOf, confinedTo, MANAGERS, requireInScope, type Principal } from './principal.js';

/** A token without `--expires` lasts this long; "never" must be asked for. */
export const DEFAULT_TOKEN_DAYS = 90;

export interface TokenServiceDeps {
  apiTokens: Pick<ApiTokenStore, 'create' | 'get' | 'list' | 'revoke' | 'verify'>;
  accounts: Pick<AccountStore, 'get'>;
}

/** "90d" / "12h" from now, a date ("2027-06-30", the end of that day UTC), or "never". */
export function tokenExpiry(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return now + DEFAULT_TOKEN_DAYS * 86_400_000;
  if (value === 'never') return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return expiry(value);
  try {
    return now + parseDuration(value) * 1000;
  } catch {
    throw new ValidationError(`the expiry "${value}" is not a duration (90d), a date (2027-06-30) or never`);
  }
}

const CONSOLE_KINDS = ['region-admin', 'school-admin', 'teacher'] as const;

/** The principal an account acts as, from where it acted. */
export function principalOf(account: Pick<Account, 'username' | 'role' | 'school'>, source?: string): Principal {
  const from = source === undefined ? {} : { source };
  if (account.role === 'region-admin') return { kind: 'region-admin', username: account.username, ...from };
  return { kind: account.role, username: account.username, school: account.school ?? '', ...from };
}

const self = (principal: Principal) => ((CONSOLE_KINDS as readonly string[]).includes(principal.kind) ? (principal as { username: string }).username : undefined);

export function createTokenService({ apiTokens, accounts }: TokenServiceDeps) {
  const missing = (id: string) => `API token ${id} does not exist`;

  /** A token the principal may see: their own, or (managers) one in their scope. */
  async function inScope(principal: Principal, id: string): Promise<ApiToken> {
    const token = await apiTokens.get(id);
    if (token && token.owner === self(principal)) return token;
    if (!MANAGERS.includes(principal.kind)) throw new NotFoundError(missing(id));
    return requireInScope(principal, token, missing(id));
  }

  return {
    /** The plain token is in the answer once (`token`) and nowhere else. */
    async create(principal: Principal, input: { username?: string; name?: string; expiresAt?: number }): Promise<ApiToken & { token: string }> {
      allow(principal, [...MANAGERS, 'teacher'], 'create API tokens');
      const username = input.username?.trim().toLowerCase() ?? self(principal);
      if (username === undefined) throw new ValidationError('name the console account the token acts as');
      const account = await accounts.get(username);
      if (username !== self(principal)) {
        if (!MANAGERS.includes(principal.kind)) throw new ForbiddenError('a teacher creates API tokens for themselves only');
        requireInScope(principal, account, `console account "${username}" does not exist`);
      }
      if (!account) throw new NotFoundError(`console account "${username}" does not exist`);
      if (account.status === 'disabled') throw new ValidationError(`console account "${account.username}" is disabled`);
      const { token, plain } = await apiTokens.create({
        owner: account.username,
        ...(account.school ? { school: account.school } : {}),
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
      }, auditOf(principal));
      return { ...token, token: plain };
    },

    /** The principal's own tokens, and those of the accounts in their scope (managers). */
    async list(principal: Principal, filter: { user?: string } = {}): Promise<ApiToken[]> {
      allow(principal, [...MANAGERS, 'teacher'], 'list API tokens');
      const own = self(principal);
      if (!MANAGERS.includes(principal.kind)) {
        if (filter.user !== undefined && filter.user.toLowerCase() !== own) throw new ForbiddenError("a teacher sees only their own API tokens");
        return apiTokens.list(own);
      }
      const school = confinedTo(principal);
      const found = await apiTokens.list(filter.user?.toLowerCase());
      return found.filter((token) => school === undefined || token.school === school || token.owner === own);
    },

    async revoke(principal: Principal, id: string): Promise<ApiToken> {
      allow(principal, [...MANAGERS, 'teacher'], 'revoke API tokens');
      const token = await inScope(principal, id);
      await apiTokens.revoke(token, auditOf(principal));
      return token;
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

/**
 * The principal a bearer token acts as. Every refusal is the same 401 to the client (which of
 * malformed, unknown, expired, revoked or disabled it was is the server log's business: `reason`).
 */
export function createTokenAuthenticator({ apiTokens, accounts }: TokenServiceDeps) {
  return async function authenticate(bearer: string, source: string | undefined): Promise<{ principal: Principal; token: ApiToken }> {
    const token = await apiTokens.verify(bearer);
    if (!token) throw Object.assign(new UnauthorizedError('the API token is missing, unknown, expired or revoked'), { reason: 'token' });
    const account = await accounts.get(token.owner);
    if (!account || account.status !== 'active') throw Object.assign(new UnauthorizedError('the API token is missing, unknown, expired or revoked'), { reason: 'account', token: token.id });
    return { principal: principalOf(account, source), token };
  };
}
