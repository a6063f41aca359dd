// Admission: what a login gets — the decision (schedule, quotas, device limit) and the reply
// attributes in the NAS vendor's dialect. Shared by the Access-Request handler, `mektep policy
// preview` and the live enforcement of policy changes, so all three say the same.
import type { EncodableAttribute } from 'radius';
import { decide, type Decision, type DecisionInput, type LiveSession } from '../policy/decide.js';
import type { Policy } from '../policy/fields.js';
import { usagePeriods } from '../policy/periods.js';
import type { Vendor } from '../store/nas.js';
import type { PolicyCache } from '../store/policy-cache.js';
import type { SchoolDirectory } from '../store/school-directory.js';
import type { Session, SessionStore } from '../store/sessions.js';
import { adapterFor } from '../vendors/registry.js';
import { createWireAttributes } from '../vendors/wire.js';
import type { ClassSigner, LoginClass } from '../radius-wire/class-attribute.js';

export interface AdmissionDeps {
  policies: PolicyCache;
  schools: Pick<SchoolDirectory, 'timeZone'>;
  sessions: Pick<SessionStore, 'list' | 'usage'>;
  /** Signs the Class of an accept for the NAS it goes to (class-attribute.ts). */
  classes: Pick<ClassSigner, 'format'>;
  now: () => number;
}

export interface AdmissionOptions {
  validUntil?: number | undefined;
  /** The device asking (its own earlier session does not count against the device limit). */
  mac?: string | undefined;
  /** False when re-checking a session already online (a policy change): no device limit. */
  countDevices?: boolean;
  /** The NAS record the accept goes to: its accounting alone is charged to this login. */
  issuer?: string | undefined;
  /** The attributes in wire form (`[type, bytes]`, vendors/wire.ts), as the RADIUS server sends them. */
  wire?: boolean;
}

export interface Admission {
  decision: Decision;
  /** The Access-Accept attributes when accepted (Class included). */
  attributes: EncodableAttribute[];
}

/** Classes remembered per process (a returning device's Class is the same every morning). */
export const MAX_REMEMBERED_CLASSES = 100_000;

interface RememberedClass {
  kind: string;
  role: string;
  school: string;
  issuer: string;
  text: string;
  bytes: Buffer;
}

/**
 * The signed Class of a login, remembered: signing it (HMAC-SHA-256) was the largest single cost
 * of a MAC authentication. It depends only on the login, the NAS record and the key, so it never
 * goes stale; past the bound the oldest goes, so made-up logins cost signatures, not memory.
 */
export function rememberedClasses(classes: Pick<ClassSigner, 'format'>, max = MAX_REMEMBERED_CLASSES) {
  // Found by subject, then compared part by part: no key text is built (and hashed) per accept,
  // and no two logins can share an entry whatever their names contain.
  const bySubject = new Map<string, RememberedClass[]>();
  let count = 0;

  /** The Class as text and as the bytes an Access-Accept carries. */
  function signed(login: LoginClass, issuer: string): { text: string; bytes: Buffer } {
    const school = login.school ?? '';
    const kept = bySubject.get(login.subject);
    if (kept) {
      for (const entry of kept) {
        if (entry.kind === login.kind && entry.role === login.role && entry.school === school && entry.issuer === issuer) return entry;
      }
    }
    const text = classes.format(login, issuer);
    const entry: RememberedClass = { kind: login.kind, role: login.role, school, issuer, text, bytes: Buffer.from(text) };
    while (count >= max) {
      const [oldest, entries] = bySubject.entries().next().value!;
      bySubject.delete(oldest);
      count -= entries.length;
    }
    const list = bySubject.get(login.subject);
    if (list) list.push(entry);
    else bySubject.set(login.subject, [entry]);
    count++;
    return entry;
  }
  return { signed };
}

/** A person's quotas need their usage read from Redis. */
function needsUsage(user: string | undefined, policy: Policy): boolean {
  return user !== undefined && (policy.dailyQuota !== undefined || policy.monthlyQuota !== undefined);
}

/** A person's device limit needs their live sessions read (not when re-checking one already online). */
function needsSessions(user: string | undefined, policy: Policy, options: AdmissionOptions): boolean {
  return user !== undefined && policy.maxDevices !== undefined && options.countDevices !== false;
}

export function createAdmission(deps: AdmissionDeps) {
  const classes = rememberedClasses(deps.classes);
  const wire = createWireAttributes();

  function admitWith(policy: Policy, vendor: Vendor, login: LoginClass, options: AdmissionOptions, usage?: { today: number; month: number }, sessions?: LiveSession[]): Admission {
    const className = classes.signed(login, options.issuer ?? '');
    // Filled in rather than spread together: this runs for every accept.
    const input: DecisionInput = { role: login.role, policy, timeZone: deps.schools.timeZone(login.school), now: deps.now(), className: className.text };
    if (options.validUntil !== undefined) input.validUntil = options.validUntil;
    if (usage) input.usage = usage;
    if (sessions) input.sessions = sessions;
    if (options.mac) input.mac = options.mac;
    const decision = decide(input);
    if (!decision.accept) return { decision, attributes: [] };
    return { decision, attributes: options.wire ? wire.attributes(vendor, decision.grant, className.bytes, policy) : adapterFor(vendor).replyAttributes(decision.grant) };
  }

  /**
   * Answers at once (no promise) when Redis has nothing to add: the policy is in memory and no
   * quota or device limit of a person needs their usage or sessions read. A remembered
   * device's MAC authentication is that case.
   */
  return function admit(vendor: Vendor, login: LoginClass, options: AdmissionOptions = {}): Admission | Promise<Admission> {
    // Quotas and the device limit belong to a person: they need to know who it is.
    const user = login.kind === 'user' ? login.subject : undefined;
    const policy = deps.policies.cached?.(login.role, login.school);
    if (policy && !needsUsage(user, policy) && !needsSessions(user, policy, options)) return admitWith(policy, vendor, login, options);
    return (async () => {
      const effective = policy ?? (await deps.policies.effective(login.role, login.school));
      const usage = needsUsage(user, effective) ? await deps.sessions.usage(user!, usagePeriods(deps.now(), deps.schools.timeZone(login.school))) : undefined;
      const sessions = needsSessions(user, effective, options)
        ? (await deps.sessions.list({ user })).map((session) => ({ id: session.id, mac: session.mac, startedAt: Date.parse(session.startedAt) }))
        : undefined;
      return admitWith(effective, vendor, login, options, usage, sessions);
    })();
  };
}

export type Admit = ReturnType<typeof createAdmission>;

/** The login a live session stands for (a person, when the NAS named one), to re-admit it. */
export function loginOfSession(session: Session & { role: string }): LoginClass {
  return { kind: 'user', subject: session.user ?? session.sessionId, role: session.role, ...(session.school ? { school: session.school } : {}) };
}
