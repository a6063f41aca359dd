// Who is asking → which content profile. A person's role policy names the profile
// (`contentProfile`), else the role's default; an address without a session takes its mapped
// network's profile, else the guest role's. The resolver and `mektep content check` both use
// this, so they cannot disagree.
import { BUILT_IN_PROFILES, compileProfile, defaultProfileOfRole, type CompiledProfile } from '../policy/content.js';
import { createAddressMatcher, parseNasAddress } from './address.js';
import type { ContentNetwork } from './content-networks.js';
import type { ContentProfileView } from './content-profiles.js';

export interface Asker {
  user?: string;
  role?: string;
  school?: string;
  /** How the profile was found. */
  via: 'session' | 'network' | 'role' | 'unknown';
  network?: string;
}

export interface ProfileChoice {
  compiled: CompiledProfile;
  /** Where its name came from. */
  from: 'role-policy' | 'role-default' | 'network' | 'guest-default';
  /** The name was given but no such profile exists: "safe" applies instead. */
  missing?: string;
}

export interface ProfileSources {
  /** The content profile the role's effective policy names, if any. */
  roleProfile(role: string, school?: string): Promise<string | undefined>;
  profile(name: string, school?: string): Promise<Pick<ContentProfileView, 'exists' | 'effective'>>;
}

const UNKNOWN_CLIENT_ROLE = 'guest';

export function createProfileResolver(sources: ProfileSources) {
  const compiled = new Map<string, Promise<{ compiled: CompiledProfile; missing?: string }>>();
  // Settled choices by who asks, so the resolver's hot path takes them without a promise.
  const settled = new Map<string, ProfileChoice>();
  let generation = 0;

  function byName(name: string, school?: string) {
    const key = `${name}@${school ?? ''}`;
    let entry = compiled.get(key);
    if (!entry) {
      entry = sources.profile(name, school).then((view) => (view.exists
        ? { compiled: compileProfile(name, view.effective) }
        : { compiled: compileProfile('safe', BUILT_IN_PROFILES.safe), missing: name }));
      entry.catch(() => compiled.delete(key));
      compiled.set(key, entry);
    }
    return entry;
  }

  async function forRole(role: string, school: string | undefined, defaultFrom: ProfileChoice['from']): Promise<ProfileChoice> {
    const named = await sources.roleProfile(role, school);
    const result = await byName(named ?? defaultProfileOfRole(role), school);
    return { ...result, from: named ? 'role-policy' : defaultFrom };
  }

  async function choose(asker: Asker, network?: ContentNetwork): Promise<ProfileChoice> {
    if (asker.role) return forRole(asker.role, asker.school, 'role-default');
    if (network) return { ...(await byName(network.profile, network.school)), from: 'network' };
    return forRole(UNKNOWN_CLIENT_ROLE, undefined, 'guest-default');
  }

  return {
    byName,
    /** The profile for who asks: at once when chosen before, else once it is read. */
    choose(asker: Asker, network?: ContentNetwork): ProfileChoice | Promise<ProfileChoice> {
      const key = asker.role ? `r|${asker.role}|${asker.school ?? ''}` : network ? `n|${network.network}` : 'u';
      const known = settled.get(key);
      if (known) return known;
      const started = generation;
      return choose(asker, network).then((choice) => {
        // Kept only if nothing changed while it was read.
        if (started === generation) settled.set(key, choice);
        return choice;
      });
    },
    /** Profiles or policies changed: compile again on next use. */
    clear(): void {
      compiled.clear();
      settled.clear();
      generation++;
    },
  };
}

export type ProfileResolver = ReturnType<typeof createProfileResolver>;

/** Longest-prefix match of an address against the mapped networks. */
export function createNetworkMatcher(networks: ContentNetwork[]): (ip: string) => ContentNetwork | undefined {
  const byText = new Map(networks.map((entry) => [entry.network, entry]));
  const match = createAddressMatcher(networks.map((entry) => parseNasAddress(entry.network)));
  return (ip) => {
    const found = match(ip);
    return found === undefined ? undefined : byText.get(found);
  };
}
