// Admission: what a login gets — the decision (schedule, quotas, device limit) and the reply
// attributes in the NAS vendor's dialect. Shared by the Access-Request handler, `mektep policy
// preview` and the live enforcement of policy changes, so all three say the same.
import type { EncodableAttribute } from 'radius';
import { decide, type Decision } from '../policy/decide.js';
import { usagePeriods } from '../policy/periods.js';
import type { Vendor } from '../store/nas.js';
import type { PolicyCache } from '../store/policy-cache.js';
import type { SchoolDirectory } from '../store/school-directory.js';
import type { Session, SessionStore } from '../store/sessions.js';
import { adapterFor } from '../vendors/registry.js';
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
}

export interface Admission {
  decision: Decision;
  /** The Access-Accept attributes when accepted (Class included). */
  attributes: EncodableAttribute[];
}

/** Classes remembered per process (a returning device's Class is the same every morning). */
export const MAX_REMEMBERED_CLASSES = 100_000;

/**
 * The signed Class of a login, remembered: signing it (HMAC-SHA-256) was the largest single cost
 * of a MAC authentication. It depends only on the login, the NAS record and the key, so it never
 * goes stale; past the bound the oldest goes, so made-up logins cost signatures, not memory.
 */
export function rememberedClasses(classes: Pick<ClassSigner, 'format'>, max = MAX_REMEMBERED_CLASSES): Pick<ClassSigner, 'format'> {
  const signed = new Map<string, string>();
  return {
    format(login, issuer) {
      // Each part length-prefixed, so no two logins share a key whatever their names contain.
      const school = login.school ?? '';
      const key = `${login.kind}${login.subject.length}:${login.subject}${login.role.length}:${login.role}${school.length}:${school}${issuer}`;
      let value = signed.get(key);
      if (value === undefined) {
        value = classes.format(login, issuer);
        if (signed.size >= max) signed.delete(signed.keys().next().value!);
        signed.set(key, value);
      }
      return value;
    },
  };
}

export function createAdmission(deps: AdmissionDeps) {
  const classes = rememberedClasses(deps.classes);
  return async function admit(vendor: Vendor, login: LoginClass, options: AdmissionOptions = {}): Promise<Admission> {
    const policy = await deps.policies.effective(login.role, login.school);
    const now = deps.now();
    const timeZone = deps.schools.timeZone(login.school);
    // Quotas and the device limit belong to a person: they need to know who it is.
    const user = login.kind === 'user' ? login.subject : undefined;
    const usage = user && (policy.dailyQuota !== undefined || policy.monthlyQuota !== undefined) ? await deps.sessions.usage(user, usagePeriods(now, timeZone)) : undefined;
    const sessions = user && policy.maxDevices !== undefined && options.countDevices !== false
      ? (await deps.sessions.list({ user })).map((session) => ({ id: session.id, mac: session.mac, startedAt: Date.parse(session.startedAt) }))
      : undefined;
    const decision = decide({
      role: login.role, policy, timeZone, now, className: classes.format(login, options.issuer ?? ''),
      ...(options.validUntil === undefined ? {} : { validUntil: options.validUntil }),
      ...(usage ? { usage } : {}),
      ...(sessions ? { sessions } : {}),
      ...(options.mac ? { mac: options.mac } : {}),
    });
    return { decision, attributes: decision.accept ? adapterFor(vendor).replyAttributes(decision.grant) : [] };
  };
}

export type Admit = ReturnType<typeof createAdmission>;

/** The login a live session stands for (a person, when the NAS named one), to re-admit it. */
export function loginOfSession(session: Session & { role: string }): LoginClass {
  return { kind: 'user', subject: session.user ?? session.sessionId, role: session.role, ...(session.school ? { school: session.school } : {}) };
}
