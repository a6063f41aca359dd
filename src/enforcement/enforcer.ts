// Live enforcement (RFC 5176): Disconnect-Request to end a session (quota used up, schedule
// over, device evicted, user disabled, an admin's kick) and CoA-Request to move live sessions
// to a changed policy without anyone logging in again — Disconnect where the vendor cannot CoA.
// Used by the server (quota, eviction, schedule) and by the CLI (kick, disable, policy set).
import type { EncodableAttribute } from 'radius';
import type { Logger } from 'pino';
import { loginOfSession, type Admit } from './admission.js';
import { ERROR_CAUSES, type CoaClient, type CoaResult } from '../radius-wire/coa-client.js';
import type { Store } from '../store/index.js';
import type { NasClient } from '../store/nas.js';
import { bytesOfText } from '../store/session-wire.js';
import type { Session } from '../store/sessions.js';
import { adapterFor } from '../vendors/registry.js';

export type Outcome = CoaResult['outcome'] | 'unknown-nas';

export interface EnforcementResult {
  session: string;
  action: 'disconnect' | 'coa';
  outcome: Outcome;
  errorCause?: string;
}

export interface EnforcerDeps {
  store: Pick<Store, 'nas' | 'sessions' | 'audit'>;
  coa: Pick<CoaClient, 'disconnect' | 'coa'>;
  admit: Admit;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** Requests in flight at once when a policy change reaches many sessions (a NAS has 256 identifiers). */
const PARALLEL = 32;

/**
 * The attributes that name a session to its NAS (RFC 5176 §3), byte for byte as the NAS sent
 * them in accounting: a NAS (hostapd) matches its own User-Name, not Mektep's normalised user.
 */
function identify(session: Session): EncodableAttribute[] {
  const attributes: EncodableAttribute[] = [['Acct-Session-Id', bytesOfText(session.sessionId)]];
  if (session.userName) attributes.push(['User-Name', bytesOfText(session.userName)]);
  if (session.callingStationId) attributes.push(['Calling-Station-Id', bytesOfText(session.callingStationId)]);
  if (session.nasIpAddress) attributes.push(['NAS-IP-Address', session.nasIpAddress]);
  if (session.nasIdentifier) attributes.push(['NAS-Identifier', bytesOfText(session.nasIdentifier)]);
  return attributes;
}

async function inGroups<T, R>(items: T[], each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += PARALLEL) results.push(...(await Promise.all(items.slice(start, start + PARALLEL).map(each))));
  return results;
}

export function createEnforcer({ store, coa, admit, log }: EnforcerDeps) {
  const nasOf = (session: Session) => store.nas.get(session.nas).catch(() => undefined);

  async function send(session: Session, nas: NasClient | undefined, action: 'disconnect' | 'coa', extra: EncodableAttribute[], reason: string, actor: string): Promise<EnforcementResult> {
    const ip = session.nasIp ?? (nas && !nas.address.includes('/') ? nas.address : undefined);
    let result: EnforcementResult;
    if (!nas || !ip) {
      result = { session: session.id, action, outcome: 'unknown-nas' };
    } else {
      const target = { ip, port: nas.coaPort, secret: nas.secret };
      const answer = action === 'disconnect' ? await coa.disconnect(target, identify(session)) : await coa.coa(target, [...identify(session), ...extra]);
      result = { session: session.id, action, outcome: answer.outcome, ...(answer.errorCause ? { errorCause: ERROR_CAUSES[answer.errorCause] ?? String(answer.errorCause) } : {}) };
    }
    const detail = { reason, outcome: result.outcome, ...(result.errorCause ? { errorCause: result.errorCause } : {}), user: session.user, nas: session.nas };
    (result.outcome === 'ack' ? log.info : log.warn).call(log, { session: session.id, action, ...detail }, `${action} ${result.outcome}`);
    await store.audit.record({ actor, action: `session.${action}`, target: session.id, detail });
    return result;
  }

  const disconnect = async (session: Session, reason: string, actor: string) => send(session, await nasOf(session), 'disconnect', [], reason, actor);

  return {
    disconnect,

    async disconnectUser(username: string, reason: string, actor: string): Promise<EnforcementResult[]> {
      return inGroups(await store.sessions.list({ user: username }), (session) => disconnect(session, reason, actor));
    },

    /** By session id ("<nas>|<Acct-Session-Id>", with the AP for a CIDR NAS); undefined when no such live session. */
    async disconnectById(id: string, reason: string, actor: string): Promise<EnforcementResult | undefined> {
      const session = await store.sessions.byId(id);
      return session ? disconnect(session, reason, actor) : undefined;
    },

    /** Moves every live session of the role (in one school, or all) to its policy as it is now. */
    async applyPolicy(role: string, school: string | undefined, actor: string): Promise<EnforcementResult[]> {
      const move = async (session: Session): Promise<EnforcementResult> => {
        const nas = await nasOf(session);
        const vendor = nas?.vendor ?? 'generic';
        const { decision, attributes } = await admit(vendor, loginOfSession({ ...session, role }), { countDevices: false });
        if (!decision.accept) return send(session, nas, 'disconnect', [], decision.message, actor);
        if (!adapterFor(vendor).canCoa) return send(session, nas, 'disconnect', [], 'policy changed (the access point cannot apply it live)', actor);
        return send(session, nas, 'coa', attributes.filter(([name]) => name !== 'Class'), 'policy changed', actor);
      };
      // Region-wide: a page of sessions at a time, not every session of every school at once.
      const pages = school ? [await store.sessions.list({ school })] : store.sessions.each();
      const results: EnforcementResult[] = [];
      for await (const page of pages) results.push(...(await inGroups(page.filter((session) => session.role === role), move)));
      return results;
    },
  };
}

export type Enforcer = ReturnType<typeof createEnforcer>;
