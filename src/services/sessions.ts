// Live sessions: region-wide principals see and end all; a school admin its school's; a teacher
// sees the sessions of their school's students, read-only. A session is named either by the id
// `session list` shows in its SESSION column (the Acct-Session-Id) or by its full id
// ("<nas>|<Acct-Session-Id>", with the access point for a CIDR NAS).
import type { EnforcementResult, Enforcer } from '../enforcement/enforcer.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { AuditStore } from '../store/audit.js';
import { parseMac } from '../store/mac.js';
import type { Session, SessionStore } from '../store/sessions.js';
import { allow, auditOf, confinedTo, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export interface SessionServiceDeps {
  sessions: Pick<SessionStore, 'byId' | 'list'>;
  enforcer: Pick<Enforcer, 'disconnect'>;
  audit: Pick<AuditStore, 'record'>;
}

export interface SessionFilter {
  school?: string;
  user?: string;
  mac?: string;
  nas?: string;
  role?: string;
}

export function createSessionService({ sessions, enforcer, audit }: SessionServiceDeps) {
  async function list(principal: Principal, filter: SessionFilter = {}): Promise<Session[]> {
    allow(principal, [...MANAGERS, 'teacher'], 'see live sessions');
    // A teacher sees students only.
    if (principal.kind === 'teacher' && filter.role !== undefined && filter.role !== 'student') throw new ForbiddenError("a teacher sees only the students' sessions");
    const role = principal.kind === 'teacher' ? 'student' : filter.role;
    const school = schoolFor(principal, filter.school, 'see the sessions');
    const mac = filter.mac === undefined ? undefined : (parseMac(filter.mac) ?? filter.mac.toLowerCase());
    const found = await sessions.list({ ...(school ? { school } : {}), ...(filter.user ? { user: filter.user.toLowerCase() } : {}), ...(mac ? { mac } : {}) });
    return found.filter((session) => (!mac || session.mac === mac) && (!filter.nas || session.nas === filter.nas) && (!role || session.role === role));
  }

  /** The live session an id names, within the principal's scope. */
  async function find(principal: Principal, id: string): Promise<Session> {
    const missing = `no live session "${id}"`;
    if (id.includes('|')) return requireInScope(principal, await sessions.byId(id), missing);
    const school = confinedTo(principal);
    const matching = (await sessions.list(school ? { school } : {})).filter((session) => session.sessionId === id);
    if (matching.length === 0) throw new NotFoundError(missing);
    // Acct-Session-Ids are unique per NAS only; two NASes may have picked the same one.
    if (matching.length > 1) throw new ValidationError(`"${id}" names ${matching.length} live sessions; give one of ${matching.map((session) => session.id).join(', ')}`);
    return matching[0]!;
  }

  return {
    list,

    /** One live session in scope, for a manager about to end it (the console's confirmation step). */
    async get(principal: Principal, id: string): Promise<Session> {
      allow(principal, MANAGERS, 'end live sessions');
      return find(principal, id);
    },

    /** Ends a live session now (Disconnect-Request to its NAS). */
    async kick(principal: Principal, id: string): Promise<EnforcementResult> {
      allow(principal, MANAGERS, 'end live sessions');
      const session = await find(principal, id);
      const { actor, source } = auditOf(principal);
      await audit.record({ actor, source, action: 'session.kick', target: session.id, school: session.school, detail: { user: session.user, nas: session.nas } });
      return enforcer.disconnect(session, 'kicked by an administrator', actor);
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
