// Content decisions: what the filtering resolver answers for one name under one profile. Pure:
// the category lists come in as a lookup function, so the resolver and `mektep content check`
// decide with exactly this code, and the table test needs no lists.
import { domainToASCII } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValidationError } from '../errors.js';

const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' });
export const YOUTUBE_MODES = ['strict', 'moderate', 'off'] as const;

export const ContentProfileSchema = Type.Object({
  blockCategories: Type.Array(Name, { maxItems: 64, uniqueItems: true }),
  blockDomains: Type.Array(Type.String(), { maxItems: 10_000 }),
  allowDomains: Type.Array(Type.String(), { maxItems: 10_000 }),
  safeSearch: Type.Boolean(),
  youtube: Type.Union(YOUTUBE_MODES.map((mode) => Type.Literal(mode))),
  allowOnly: Type.Boolean(),
}, { additionalProperties: false });

export type ContentProfile = Static<typeof ContentProfileSchema>;
export type ContentProfileField = keyof ContentProfile;
export const CONTENT_PROFILE_FIELDS = Object.keys(ContentProfileSchema.properties) as ContentProfileField[];

/** A profile nobody configured: nothing blocked, nothing rewritten. */
export const EMPTY_PROFILE: ContentProfile = { blockCategories: [], blockDomains: [], allowDomains: [], safeSearch: false, youtube: 'off', allowOnly: false };

/** What a school gets without configuring anything (categories block only once imported). */
export const BUILT_IN_PROFILES = {
  safe: { ...EMPTY_PROFILE, blockCategories: ['adult', 'malware', 'phishing'], safeSearch: true, youtube: 'moderate' },
  'malware-only': { ...EMPTY_PROFILE, blockCategories: ['malware', 'phishing'] },
} as const satisfies Record<string, ContentProfile>;

export function isBuiltInProfile(name: string): name is keyof typeof BUILT_IN_PROFILES {
  return Object.hasOwn(BUILT_IN_PROFILES, name);
}

/** The profile of a role whose policy names none. */
export function defaultProfileOfRole(role: string): keyof typeof BUILT_IN_PROFILES {
  return role === 'teacher' || role === 'staff' ? 'malware-only' : 'safe';
}

/** Lower case, no trailing dot: the form every list and rule is kept in. */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

// Two or more labels of letters, digits, "_" and inner "-" (1-63 each), 253 characters at
// most, the last not all digits (that would be an IPv4 address): one regex, no split.
const NAME = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+(?!\d+$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
// eslint-disable-next-line no-control-regex -- ASCII names skip the (slower) IDN conversion
const ASCII = /^[\x00-\x7f]*$/;

/** A rule's domain in list form ("*.x" and ".x" mean x and below), or undefined when it is not one. */
export function domainOfRule(input: string): string | undefined {
  let bare = normaliseName(input.trim());
  if (bare.startsWith('*.')) bare = bare.slice(2);
  else if (bare.startsWith('.')) bare = bare.slice(1);
  if (NAME.test(bare)) return bare;
  if (ASCII.test(bare)) return undefined;
  const ascii = domainToASCII(bare);
  return ascii && NAME.test(ascii) ? ascii : undefined;
}

/** Throws a ValidationError naming the first bad field; domains come back in list form. */
export function validateProfile(input: Partial<Record<ContentProfileField, unknown>>): Partial<ContentProfile> {
  const first = Value.Errors(Type.Partial(ContentProfileSchema), input).First();
  if (first) throw new ValidationError(`content profile field ${first.path.split('/')[1] ?? 'profile'}: ${first.message} (got ${JSON.stringify(first.value)})`);
  const valid = { ...input } as Partial<ContentProfile>;
  for (const field of ['blockDomains', 'allowDomains'] as const) {
    const list = valid[field];
    if (!list) continue;
    valid[field] = [...new Set(list.map((entry) => {
      const domain = domainOfRule(entry);
      if (!domain) throw new ValidationError(`content profile field ${field}: "${entry}" is not a domain name`);
      return domain;
    }))];
  }
  return valid;
}

/** A base profile with overrides applied field by field (later ones win). */
export function mergeProfile(base: ContentProfile, ...overrides: Partial<ContentProfile>[]): ContentProfile {
  return Object.assign({}, base, ...overrides) as ContentProfile;
}

export interface CompiledProfile {
  name: string;
  profile: ContentProfile;
  blocked: ReadonlySet<string>;
  allowed: ReadonlySet<string>;
}

export function compileProfile(name: string, profile: ContentProfile): CompiledProfile {
  return { name, profile, blocked: new Set(profile.blockDomains), allowed: new Set(profile.allowDomains) };
}

export interface CategoryMatch {
  category: string;
  /** The listed domain that covers the name. */
  domain: string;
}

/** The first of `categories` whose list holds the name or a parent of it. */
export type CategoryLookup = (name: string, categories: readonly string[]) => CategoryMatch | undefined;

export type ContentDecision =
  | { action: 'allow'; rule: 'default' }
  | { action: 'allow'; rule: 'allow-domain' | 'focus-allow' | 'granted'; domain: string }
  | { action: 'block'; rule: 'block-domain' | 'safesearch-unavailable'; domain: string }
  | { action: 'block'; rule: 'category'; category: string; domain: string }
  | { action: 'block'; rule: 'allow-only' }
  | { action: 'block'; rule: 'focus'; focus: string; lesson: string; until: number }
  | { action: 'rewrite'; rule: 'safesearch' | 'youtube'; engine: string; target: string }
  | { action: 'nxdomain'; rule: 'doh-canary' };

/** A decision's short label in logs, counters and site requests: the category, else the rule. */
export function ruleLabel(decision: ContentDecision): string {
  return decision.action === 'block' && decision.rule === 'category' ? decision.category : decision.rule;
}

/** The name itself or its nearest parent that is in the set: a rule covers its subdomains. */
export function coveringDomain(name: string, set: ReadonlySet<string>): string | undefined {
  if (set.size === 0) return undefined;
  for (let start = 0; start !== -1; start = name.indexOf('.', start) + 1 || -1) {
    const suffix = start === 0 ? name : name.slice(start);
    if (set.has(suffix)) return suffix;
  }
  return undefined;
}

// The CNAMEs the engines document for network-wide enforcement. Ecosia publishes none, so
// with SafeSearch on it is blocked rather than left unfiltered (docs/content.md).
const SEARCH_ENGINES: { engine: string; pattern: RegExp; target?: string }[] = [
  // support.google.com/websearch/answer/186669: www.google.<every country domain>.
  { engine: 'google', pattern: /^(www\.)?google\.(com|[a-z]{2}|com\.[a-z]{2}|co\.[a-z]{2})$/, target: 'forcesafesearch.google.com' },
  { engine: 'bing', pattern: /^(www\.)?bing\.com$/, target: 'strict.bing.com' },
  { engine: 'duckduckgo', pattern: /^(www\.)?duckduckgo\.com$/, target: 'safe.duckduckgo.com' },
  { engine: 'yandex', pattern: /^(www\.)?(yandex\.(ru|com|kz|by|ua|uz|az|com\.tr|com\.am|com\.ge)|ya\.ru)$/, target: 'familysearch.yandex.ru' },
  { engine: 'ecosia', pattern: /^(www\.)?ecosia\.org$/ },
];
// support.google.com/a/answer/6214622: the names to point at restrict(moderate).youtube.com.
const YOUTUBE_HOSTS = new Set(['www.youtube.com', 'm.youtube.com', 'youtubei.googleapis.com', 'youtube.googleapis.com', 'www.youtube-nocookie.com']);
/** Firefox turns its own DNS-over-HTTPS off when this name does not resolve. */
export const DOH_CANARY = 'use-application-dns.net';

function rewriteOf(name: string, profile: ContentProfile): ContentDecision | undefined {
  if (profile.youtube !== 'off' && YOUTUBE_HOSTS.has(name)) {
    return { action: 'rewrite', rule: 'youtube', engine: 'youtube', target: profile.youtube === 'strict' ? 'restrict.youtube.com' : 'restrictmoderate.youtube.com' };
  }
  if (!profile.safeSearch) return undefined;
  const engine = SEARCH_ENGINES.find((candidate) => candidate.pattern.test(name));
  if (!engine) return undefined;
  return engine.target ? { action: 'rewrite', rule: 'safesearch', engine: engine.engine, target: engine.target } : { action: 'block', rule: 'safesearch-unavailable', domain: name };
}

/** A lesson focus as the decision needs it: only `allowed` (and subdomains) resolve until `until`. */
export interface FocusRule {
  id: string;
  lesson: string;
  school: string;
  until: number;
  nas: ReadonlySet<string>;
  users: ReadonlySet<string>;
  allowed: ReadonlySet<string>;
}

export interface FocusSubject {
  user?: string | undefined;
  role?: string | undefined;
  school?: string | undefined;
  nas?: string | undefined;
}

/** Roles whose own devices lesson focus never touches. */
const FOCUS_EXEMPT_ROLES = new Set(['teacher', 'staff']);

/** The running focus that covers who asks (by username, else by access point), or undefined. */
export function focusOf(subject: FocusSubject, focuses: readonly FocusRule[], now: number): FocusRule | undefined {
  if (focuses.length === 0 || (subject.role !== undefined && FOCUS_EXEMPT_ROLES.has(subject.role))) return undefined;
  return focuses.find((focus) => focus.until > now && subject.school === focus.school
    && ((subject.user !== undefined && focus.users.has(subject.user)) || (subject.nas !== undefined && focus.nas.has(subject.nas))));
}

/**
 * What to answer for `rawName` under `compiled`; the first rule that applies decides. A running
 * lesson focus comes before the profile: only its allow-list resolves (the profile's SafeSearch
 * still rewrites what it lets through). A name a teacher granted this device (`granted`: its
 * focus's grants under a focus, else its user's; a grant covers subdomains) comes before both.
 */
export function decideContent(rawName: string, compiled: CompiledProfile, lookup: CategoryLookup, focus?: FocusRule, granted?: ReadonlySet<string>): ContentDecision {
  const name = normaliseName(rawName);
  const { profile } = compiled;
  if (name === DOH_CANARY) return { action: 'nxdomain', rule: 'doh-canary' };
  // A teacher allowed it for this device's class or user (a site request) until a time.
  const grantedDomain = granted ? coveringDomain(name, granted) : undefined;
  if (grantedDomain) return rewriteOf(name, profile) ?? { action: 'allow', rule: 'granted', domain: grantedDomain };
  if (focus) {
    const allowedInFocus = coveringDomain(name, focus.allowed);
    if (!allowedInFocus) return { action: 'block', rule: 'focus', focus: focus.id, lesson: focus.lesson, until: focus.until };
    return rewriteOf(name, profile) ?? { action: 'allow', rule: 'focus-allow', domain: allowedInFocus };
  }
  const allowed = coveringDomain(name, compiled.allowed);
  if (allowed) return rewriteOf(name, profile) ?? { action: 'allow', rule: 'allow-domain', domain: allowed };
  const blocked = coveringDomain(name, compiled.blocked);
  if (blocked) return { action: 'block', rule: 'block-domain', domain: blocked };
  if (profile.allowOnly) return { action: 'block', rule: 'allow-only' };
  const match = profile.blockCategories.length > 0 ? lookup(name, profile.blockCategories) : undefined;
  if (match) return { action: 'block', rule: 'category', ...match };
  return rewriteOf(name, profile) ?? { action: 'allow', rule: 'default' };
}
