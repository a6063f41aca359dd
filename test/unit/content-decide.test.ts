import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_PROFILES, compileProfile, decideContent, defaultProfileOfRole, mergeProfile, validateProfile,
  type CategoryLookup, type ContentDecision, type ContentProfile,
} from '../../src/policy/content.js';

// A tiny category table standing in for the compact lists: a rule covers its subdomains.
const CATEGORIES: Record<string, string[]> = { adult: ['adult.example'], malware: ['malware.example', 'evil.test'], games: ['games.example'] };
const lookup: CategoryLookup = (name, categories) => {
  for (const category of categories) {
    for (const domain of CATEGORIES[category] ?? []) if (name === domain || name.endsWith(`.${domain}`)) return { category, domain };
  }
  return undefined;
};

const safe = compileProfile('safe', BUILT_IN_PROFILES.safe);
const malwareOnly = compileProfile('malware-only', BUILT_IN_PROFILES['malware-only']);
const exam = compileProfile('exam', mergeProfile(BUILT_IN_PROFILES.safe, { allowOnly: true, allowDomains: ['exam.example', 'lms.example'] }));
const custom = compileProfile('custom', mergeProfile(BUILT_IN_PROFILES.safe, { blockDomains: ['tiktok.com'], allowDomains: ['docs.games.example'], youtube: 'strict' }));

describe('decideContent', () => {
  it.each<[string, string, ReturnType<typeof compileProfile>, ContentDecision]>([
    ['an ordinary name is allowed', 'kundelik.kz', safe, { action: 'allow', rule: 'default' }],
    ['a listed domain is blocked by its category', 'adult.example', safe, { action: 'block', rule: 'category', category: 'adult', domain: 'adult.example' }],
    ['a rule covers subdomains', 'www.cdn.adult.example', safe, { action: 'block', rule: 'category', category: 'adult', domain: 'adult.example' }],
    ['a name that only ends with the same letters is not a subdomain', 'notadult.example', safe, { action: 'allow', rule: 'default' }],
    ['teachers: adult is not blocked', 'adult.example', malwareOnly, { action: 'allow', rule: 'default' }],
    ['teachers: malware is', 'x.evil.test', malwareOnly, { action: 'block', rule: 'category', category: 'malware', domain: 'evil.test' }],
    ['a category no list was imported for blocks nothing', 'games.example', safe, { action: 'allow', rule: 'default' }],
    ['trailing dot and capitals', 'WWW.Adult.Example.', safe, { action: 'block', rule: 'category', category: 'adult', domain: 'adult.example' }],
    ['Google SafeSearch, country domain', 'www.google.kz', safe, { action: 'rewrite', rule: 'safesearch', engine: 'google', target: 'forcesafesearch.google.com' }],
    ['Google SafeSearch, co.uk', 'google.co.uk', safe, { action: 'rewrite', rule: 'safesearch', engine: 'google', target: 'forcesafesearch.google.com' }],
    ['other Google services are untouched', 'mail.google.com', safe, { action: 'allow', rule: 'default' }],
    ['Bing', 'www.bing.com', safe, { action: 'rewrite', rule: 'safesearch', engine: 'bing', target: 'strict.bing.com' }],
    ['DuckDuckGo', 'duckduckgo.com', safe, { action: 'rewrite', rule: 'safesearch', engine: 'duckduckgo', target: 'safe.duckduckgo.com' }],
    ['Yandex', 'yandex.kz', safe, { action: 'rewrite', rule: 'safesearch', engine: 'yandex', target: 'familysearch.yandex.ru' }],
    ['Ecosia has no DNS method: blocked while SafeSearch is on', 'www.ecosia.org', safe, { action: 'block', rule: 'safesearch-unavailable', domain: 'www.ecosia.org' }],
    ['SafeSearch off: Google as it is', 'www.google.com', malwareOnly, { action: 'allow', rule: 'default' }],
    ['YouTube moderate', 'www.youtube.com', safe, { action: 'rewrite', rule: 'youtube', engine: 'youtube', target: 'restrictmoderate.youtube.com' }],
    ['YouTube strict', 'm.youtube.com', custom, { action: 'rewrite', rule: 'youtube', engine: 'youtube', target: 'restrict.youtube.com' }],
    ['YouTube off', 'www.youtube.com', malwareOnly, { action: 'allow', rule: 'default' }],
    ['extra blocked domain and its subdomains', 'v16.tiktok.com', custom, { action: 'block', rule: 'block-domain', domain: 'tiktok.com' }],
    ['always-allowed beats a category', 'docs.games.example', compileProfile('g', mergeProfile(BUILT_IN_PROFILES.safe, { blockCategories: ['games'], allowDomains: ['docs.games.example'] })),
      { action: 'allow', rule: 'allow-domain', domain: 'docs.games.example' }],
    ['allow-only: a listed site resolves', 'www.exam.example', exam, { action: 'allow', rule: 'allow-domain', domain: 'exam.example' }],
    ['allow-only: everything else is blocked', 'wikipedia.org', exam, { action: 'block', rule: 'allow-only' }],
    ['the Firefox canary answers NXDOMAIN', 'use-application-dns.net', malwareOnly, { action: 'nxdomain', rule: 'doh-canary' }],
  ])('%s', (_name, name, profile, expected) => {
    expect(decideContent(name, profile, lookup)).toEqual(expected);
  });

  it('keeps SafeSearch on an always-allowed search engine', () => {
    const profile = compileProfile('p', mergeProfile(BUILT_IN_PROFILES.safe, { allowOnly: true, allowDomains: ['google.com'] }));
    expect(decideContent('www.google.com', profile, lookup)).toMatchObject({ action: 'rewrite', rule: 'safesearch' });
  });
});

describe('profiles', () => {
  it('gives students and guests "safe", teachers and staff "malware-only", other roles "safe"', () => {
    expect(['student', 'guest', 'teacher', 'staff', 'librarian'].map(defaultProfileOfRole)).toEqual(['safe', 'safe', 'malware-only', 'malware-only', 'safe']);
  });

  it('merges an override field by field', () => {
    const merged: ContentProfile = mergeProfile(BUILT_IN_PROFILES.safe, { youtube: 'off' }, { safeSearch: false });
    expect(merged).toEqual({ ...BUILT_IN_PROFILES.safe, youtube: 'off', safeSearch: false });
  });

  it('refuses a bad field with its name, and normalises domains (IDN to punycode)', () => {
    expect(() => validateProfile({ youtube: 'loud' })).toThrow(/youtube/);
    expect(() => validateProfile({ blockDomains: ['not a domain'] })).toThrow(/not a domain/);
    expect(validateProfile({ blockDomains: ['*.Bad.Example', 'пример.рф'] })).toEqual({ blockDomains: ['bad.example', 'xn--e1afmkfd.xn--p1ai'] });
  });
});
