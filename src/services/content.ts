// Content filtering, managed: category lists are region-wide (region admins); content profiles
// are region-wide with per-school overrides, like role policies (a school admin changes only
// their school's override); network mappings belong to a school. `check` explains what the
// resolver would answer, with the resolver's own code.
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { decideContent, domainOfRule, type ContentDecision, type ContentProfileField } from '../policy/content.js';
import { parseNasAddress } from '../store/address.js';
import type { CategoryImport, CategoryInfo, ContentCategoryStore } from '../store/content-categories.js';
import type { DomainSet } from '../store/content-domains.js';
import { createListLookup } from '../store/content-lists.js';
import type { ContentNetwork, ContentNetworkStore } from '../store/content-networks.js';
import type { ContentProfileStore, ContentProfileView } from '../store/content-profiles.js';
import { createNetworkMatcher, createProfileResolver, type Asker, type ProfileChoice } from '../store/content-resolver.js';
import type { PolicyStore } from '../store/policies.js';
import type { RoleStore } from '../store/roles.js';
import type { SchoolStore } from '../store/schools.js';
import type { SessionStore } from '../store/sessions.js';
import { allow, auditActor, confinedTo, MANAGERS, REGION_WIDE, requireInScope, schoolFor, type Principal } from './principal.js';

/** The largest category list the console or the API takes in one upload; bigger ones: the CLI. */
export const CATEGORY_UPLOAD_MAX_BYTES = 200 * 1024 * 1024;

export interface ContentServiceDeps {
  content: {
    categories: Pick<ContentCategoryStore, 'import' | 'list' | 'remove' | 'load'>;
    profiles: Pick<ContentProfileStore, 'view' | 'list' | 'set' | 'remove'>;
    networks: Pick<ContentNetworkStore, 'add' | 'list' | 'remove'>;
  };
  policies: Pick<PolicyStore, 'view'>;
  schools: Pick<SchoolStore, 'require'>;
  roles: Pick<RoleStore, 'require'>;
  sessions: Pick<SessionStore, 'byIp'>;
}

export interface ContentCheck {
  name: string;
  asker: Asker;
  profile: string;
  from: ProfileChoice['from'];
  missing?: string;
  decision: ContentDecision;
}

export function createContentService({ content, policies, schools, roles, sessions }: ContentServiceDeps) {
  /** A school admin changes their school's override only, never the region-wide profile. */
  function overrideSchool(principal: Principal, school: string | undefined, what: string): string | undefined {
    allow(principal, MANAGERS, what);
    if (principal.kind === 'school-admin' && school === undefined) throw new ForbiddenError("a school admin changes only their school's override of a content profile");
    return schoolFor(principal, school, what);
  }

  return {
    async importCategory(principal: Principal, category: string, text: string, replace: boolean): Promise<CategoryImport> {
      allow(principal, REGION_WIDE, 'import category lists');
      return content.categories.import(category, text, replace, auditActor(principal));
    },

    async listCategories(principal: Principal): Promise<CategoryInfo[]> {
      allow(principal, MANAGERS, 'list category lists');
      return content.categories.list();
    },

    async removeCategory(principal: Principal, category: string): Promise<void> {
      allow(principal, REGION_WIDE, 'remove category lists');
      await content.categories.remove(category, auditActor(principal));
    },

    async setProfile(principal: Principal, name: string, school: string | undefined, fields: Partial<Record<ContentProfileField, unknown>>): Promise<ContentProfileView> {
      return content.profiles.set(name, overrideSchool(principal, school, 'change content profiles'), fields, auditActor(principal));
    },

    async viewProfile(principal: Principal, name: string, school?: string): Promise<ContentProfileView> {
      allow(principal, MANAGERS, 'read content profiles');
      const own = school === undefined ? undefined : schoolFor(principal, school, 'read the content profiles');
      if (own) await schools.require(own);
      return content.profiles.view(name, own);
    },

    /** Profile ids ("name", "name@school"); a school admin sees the region-wide ones and theirs. */
    async listProfiles(principal: Principal): Promise<string[]> {
      allow(principal, MANAGERS, 'list content profiles');
      const own = confinedTo(principal);
      return (await content.profiles.list()).filter((id) => own === undefined || !id.includes('@') || id.endsWith(`@${own}`));
    },

    async removeProfile(principal: Principal, name: string, school: string | undefined): Promise<string> {
      const target = overrideSchool(principal, school, 'remove content profiles');
      await content.profiles.remove(name, target, auditActor(principal));
      return `${name}${target ? `@${target}` : ''}`;
    },

    async addNetwork(principal: Principal, cidr: string, school: string | undefined, profile: string): Promise<ContentNetwork> {
      allow(principal, MANAGERS, 'map networks');
      const target = schoolFor(principal, school, 'map networks');
      if (target === undefined) throw new ValidationError('a network is mapped to a school');
      return content.networks.add(cidr, target, profile, auditActor(principal));
    },

    async listNetworks(principal: Principal): Promise<ContentNetwork[]> {
      allow(principal, MANAGERS, 'list network mappings');
      const own = confinedTo(principal);
      return (await content.networks.list()).filter((entry) => own === undefined || entry.school === own);
    },

    async removeNetwork(principal: Principal, cidr: string): Promise<void> {
      allow(principal, MANAGERS, 'remove network mappings');
      const network = parseNasAddress(cidr).text;
      const entry = requireInScope(principal, (await content.networks.list()).find((candidate) => candidate.network === network), `network ${network} is not mapped`);
      await content.networks.remove(entry.network, auditActor(principal));
    },

    /** What the resolver answers for a name, asked from a client address or as a role. */
    async check(principal: Principal, domain: string, asking: { ip: string } | { role: string; school?: string }): Promise<ContentCheck> {
      allow(principal, MANAGERS, 'check content decisions');
      const name = domainOfRule(domain);
      if (!name) throw new ValidationError(`"${domain}" is not a domain name`);
      const resolver = createProfileResolver({
        roleProfile: async (of, school) => (await policies.view(of, school)).effective.contentProfile,
        profile: (profile, school) => content.profiles.view(profile, school),
      });
      let asker: Asker;
      let network: ContentNetwork | undefined;
      if ('ip' in asking) {
        const session = await sessions.byIp(undefined, asking.ip);
        network = session ? undefined : createNetworkMatcher(await content.networks.list())(asking.ip);
        asker = session ? { user: session.user, role: session.role, school: session.school, via: 'session' } : network ? { via: 'network', network: network.network } : { via: 'unknown' };
        // A client of another school is none of a school admin's business.
        const own = confinedTo(principal);
        if (own !== undefined && (session?.school ?? network?.school) !== own) throw new NotFoundError(`no client ${asking.ip} in school ${own}`);
      } else {
        const school = schoolFor(principal, asking.school, 'check content decisions');
        if (school) await schools.require(school);
        asker = { role: await roles.require(asking.role), ...(school ? { school } : {}), via: 'role' };
      }
      const choice = await resolver.choose(asker, network);
      const sets = new Map<string, DomainSet>();
      for (const category of choice.compiled.profile.blockCategories) sets.set(category, await content.categories.load(category));
      const decision = decideContent(name, choice.compiled, createListLookup(sets));
      return { name, asker, profile: choice.compiled.name, from: choice.from, ...(choice.missing ? { missing: choice.missing } : {}), decision };
    },
  };
}

export type ContentService = ReturnType<typeof createContentService>;
