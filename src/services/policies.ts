// Role policies: region-wide principals change global policies and any school's override; a
// school admin reads the global ones and changes only their school's override. A change is
// applied live (CoA, or Disconnect where the vendor cannot) unless asked not to.
import type { Admit } from '../enforcement/admission.js';
import type { EnforcementResult, Enforcer } from '../enforcement/enforcer.js';
import { ForbiddenError } from '../errors.js';
import { quotaState } from '../policy/decide.js';
import type { Policy } from '../policy/fields.js';
import { grantFrom } from '../policy/grant.js';
import { attributesText, type AttributeText } from '../radius-wire/attribute-text.js';
import type { LoginClass } from '../radius-wire/class-attribute.js';
import { createAddressMatcher, parseNasAddress } from '../store/address.js';
import type { DeviceStore } from '../store/devices.js';
import { parseMac } from '../store/mac.js';
import { VENDORS, type NasStore, type Vendor } from '../store/nas.js';
import type { PolicyStore, PolicyView } from '../store/policies.js';
import type { RoleStore } from '../store/roles.js';
import type { SchoolStore } from '../store/schools.js';
import type { UserStore } from '../store/users.js';
import { adapterFor } from '../vendors/registry.js';
import { allow, auditActor, auditOf, MANAGERS, requireInScope, schoolFor, type Principal } from './principal.js';

export interface PolicyServiceDeps {
  policies: Pick<PolicyStore, 'view' | 'set'>;
  roles: Pick<RoleStore, 'list' | 'require'>;
  schools: Pick<SchoolStore, 'require'>;
  nas: Pick<NasStore, 'list'>;
  users: Pick<UserStore, 'get'>;
  devices: Pick<DeviceStore, 'get'>;
  enforcer: Pick<Enforcer, 'applyPolicy'>;
  admit: Admit;
}

/** How a change reached the live sessions. */
export interface ApplyReport {
  sessions: EnforcementResult[];
  /** Sessions moved to the new policy by CoA. */
  updated: number;
  /** Sessions ended (the vendor cannot CoA, or the new policy refuses them now). */
  disconnected: number;
  /** Sessions whose NAS did not confirm (nak, timeout, unknown NAS). */
  unconfirmed: number;
}

export function applyReport(sessions: EnforcementResult[]): ApplyReport {
  const acked = (action: EnforcementResult['action']) => sessions.filter((result) => result.action === action && result.outcome === 'ack').length;
  return { sessions, updated: acked('coa'), disconnected: acked('disconnect'), unconfirmed: sessions.filter((result) => result.outcome !== 'ack').length };
}

export interface Preview {
  nas: string;
  vendor: string;
  subject: string;
  role: string;
  decision: 'accept' | 'reject';
  attributes: AttributeText[];
}

/** What each vendor is sent for a role: a fresh login (nothing used yet, no expiry, any hour). */
export interface VendorPreview {
  vendor: Vendor;
  canCoa: boolean;
  /** Class is left out: it is signed for each login. */
  attributes: AttributeText[];
}

export function vendorPreviews(role: string, policy: Policy): VendorPreview[] {
  const quota = quotaState(policy, { today: 0, month: 0 });
  const grant = grantFrom(role, policy, { now: 0, ...('left' in quota && quota.left !== undefined ? { dataLeft: quota.left } : {}) }, '');
  return VENDORS.map((vendor) => {
    const adapter = adapterFor(vendor);
    return { vendor, canCoa: adapter.canCoa, attributes: attributesText(adapter.replyAttributes(grant)).filter((line) => line.name !== 'Class') };
  });
}

export function createPolicyService(deps: PolicyServiceDeps) {
  const { policies, roles, schools, enforcer } = deps;

  return {
    /** One role or all, with the school's override applied when a school is named. */
    async view(principal: Principal, role?: string, school?: string): Promise<PolicyView[]> {
      allow(principal, MANAGERS, 'read policies');
      // A school admin reads the global policies, and their own school's override.
      const own = school === undefined ? undefined : schoolFor(principal, school, 'read the policies');
      if (own) await schools.require(own);
      const names = role === undefined ? await roles.list() : [await roles.require(role)];
      return Promise.all(names.map((name) => policies.view(name, own)));
    },

    /** Sets fields (and clears `clear`), then moves live sessions to it unless `apply` is false. */
    async set(principal: Principal, role: string, school: string | undefined, fields: Policy, clear: string[], options: { apply?: boolean } = {}): Promise<PolicyView & ApplyReport> {
      allow(principal, MANAGERS, 'change policies');
      if (principal.kind === 'school-admin' && school === undefined) throw new ForbiddenError("a school admin changes only their school's override, not the global policy");
      const target = schoolFor(principal, school, 'change the policies');
      const view = await policies.set(role, target, fields, clear, auditOf(principal));
      const sessions = options.apply === false ? [] : await enforcer.applyPolicy(view.role, target, auditActor(principal));
      return { ...view, ...applyReport(sessions) };
    },

    /** The exact Access-Accept attributes (or the refusal) for a user or device through a NAS. */
    async preview(principal: Principal, subject: string, nasIp: string): Promise<Preview> {
      allow(principal, MANAGERS, 'preview policies');
      const all = await deps.nas.list();
      const address = createAddressMatcher(all.map((nas) => parseNasAddress(nas.address)))(nasIp);
      const nas = requireInScope(principal, all.find((candidate) => candidate.address === address), `no NAS covers ${nasIp}`);
      const mac = parseMac(subject);
      let login: LoginClass;
      let validUntil: number | undefined;
      let refused: string | undefined;
      if (mac) {
        const device = requireInScope(principal, await deps.devices.get(mac), `device ${mac} is not registered or remembered`);
        const school = device.school ?? nas.school;
        login = { ...(device.user ? { kind: 'user' as const, subject: device.user } : { kind: 'device' as const, subject: mac }), role: device.role, ...(school ? { school } : {}) };
        validUntil = device.until ? Date.parse(device.until) : undefined;
      } else {
        const user = requireInScope(principal, await deps.users.get(subject), `user "${subject}" does not exist`);
        const school = user.school ?? nas.school;
        login = { kind: 'user', subject: user.username, role: user.role, ...(school ? { school } : {}) };
        validUntil = user.expiresAt ? Date.parse(user.expiresAt) : undefined;
        if (user.status === 'disabled') refused = 'This account is disabled; ask the school administrator';
        else if (validUntil !== undefined && validUntil <= Date.now()) refused = 'This account has expired; ask the school administrator';
      }
      const { decision, attributes } = await deps.admit(nas.vendor, login, { validUntil, ...(mac ? { mac } : {}) });
      const message = refused ?? (decision.accept ? undefined : decision.message);
      return {
        nas: nas.address,
        vendor: nas.vendor,
        subject: login.subject,
        role: login.role,
        decision: message === undefined ? 'accept' : 'reject',
        attributes: message === undefined ? attributesText(attributes) : [{ name: 'Reply-Message', value: message }],
      };
    },
  };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
