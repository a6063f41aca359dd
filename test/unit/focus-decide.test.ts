import { describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, compileProfile, decideContent, focusOf, type CategoryLookup, type ContentDecision, type FocusRule, type FocusSubject } from '../../src/policy/content.js';

const lookup: CategoryLookup = (name, categories) => (categories.includes('adult') && name.endsWith('adult.example') ? { category: 'adult', domain: 'adult.example' } : undefined);
const NOW = Date.parse('2026-12-01T04:00:00Z');
const focus: FocusRule = {
  id: 'f-1', lesson: 'Algebra test', school: 'sch-1', until: NOW + 45 * 60_000,
  nas: new Set(['10.0.0.5']), users: new Set(['amir', 'dana']), allowed: new Set(['exam.example', 'google.kz']),
};
const ended: FocusRule = { ...focus, id: 'f-0', until: NOW, users: new Set(['bota']) };
const safe = compileProfile('safe', BUILT_IN_PROFILES.safe);
const open = compileProfile('open', { ...BUILT_IN_PROFILES['malware-only'], blockCategories: [] });

describe('focusOf', () => {
  it.each<[string, FocusSubject, string | undefined]>([
    ['a listed student', { user: 'amir', role: 'student', school: 'sch-1' }, 'f-1'],
    ['a student on a focused access point', { user: 'bota', role: 'student', school: 'sch-1', nas: '10.0.0.5' }, 'f-1'],
    ['a listed teacher is never affected', { user: 'dana', role: 'teacher', school: 'sch-1' }, undefined],
    ['staff on a focused access point is never affected', { user: 'erlan', role: 'staff', school: 'sch-1', nas: '10.0.0.5' }, undefined],
    ['the same username at another school', { user: 'amir', role: 'student', school: 'sch-2' }, undefined],
    ['a student elsewhere', { user: 'bota', role: 'student', school: 'sch-1', nas: '10.0.0.6' }, undefined],
    ['a focus whose end time has come (exactly) no longer applies', { user: 'bota', role: 'student', school: 'sch-1' }, undefined],
    ['a guest (a role that is not exempt) on the access point', { role: 'guest', school: 'sch-1', nas: '10.0.0.5' }, 'f-1'],
  ])('%s', (_, subject, expected) => {
    expect(focusOf(subject, [ended, focus], NOW)?.id).toBe(expected);
  });

  it('ends one millisecond before its end time, not after', () => {
    expect(focusOf({ user: 'amir', role: 'student', school: 'sch-1' }, [focus], focus.until - 1)?.id).toBe('f-1');
    expect(focusOf({ user: 'amir', role: 'student', school: 'sch-1' }, [focus], focus.until)).toBeUndefined();
  });
});

describe('decideContent with a focus (before the profile)', () => {
  it.each<[string, string, ReturnType<typeof compileProfile>, ContentDecision]>([
    ['an ordinary site is blocked, saying which lesson and until when', 'wikipedia.org', open, { action: 'block', rule: 'focus', focus: 'f-1', lesson: 'Algebra test', until: focus.until }],
    ['an allowed site and its subdomains resolve', 'www.exam.example', open, { action: 'allow', rule: 'focus-allow', domain: 'exam.example' }],
    ['the profile\'s SafeSearch still rewrites an allowed engine', 'www.google.kz', safe, { action: 'rewrite', rule: 'safesearch', engine: 'google', target: 'forcesafesearch.google.com' }],
    ['the DoH canary stays NXDOMAIN', 'use-application-dns.net', open, { action: 'nxdomain', rule: 'doh-canary' }],
    ['a category block of the profile is not reached: focus decides', 'adult.example', safe, { action: 'block', rule: 'focus', focus: 'f-1', lesson: 'Algebra test', until: focus.until }],
  ])('%s', (_, name, profile, expected) => {
    expect(decideContent(name, profile, lookup, focus)).toEqual(expected);
  });

  it('without a focus the profile decides as before', () => {
    expect(decideContent('wikipedia.org', open, lookup)).toEqual({ action: 'allow', rule: 'default' });
  });
});
