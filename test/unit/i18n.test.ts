import { describe, expect, it } from 'vitest';
import { formatBytes, formatDateTime, formatDuration, formatNumber } from '../../src/i18n/format.js';
import { CATALOGUES, fill, LANGUAGES, negotiate } from '../../src/i18n/languages.js';
import { languageLinks, languageOf } from '../../src/i18n/request.js';

type Key = keyof typeof CATALOGUES.en;
const KEYS = Object.keys(CATALOGUES.en) as Key[];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('translations', () => {
  it('has every key in every catalogue, none empty', () => {
    const reference = [...KEYS].sort();
    for (const language of LANGUAGES) {
      expect(Object.keys(CATALOGUES[language]).sort()).toEqual(reference);
      for (const [key, text] of Object.entries(CATALOGUES[language])) expect(text.trim(), `${language}.${key}`).not.toBe('');
    }
  });

  it('translates rather than copying English, in Kazakh and in Russian', () => {
    for (const language of ['kk', 'ru'] as const) {
      const same = KEYS.filter((key) => key !== 'title' && CATALOGUES[language][key] === CATALOGUES.en[key]);
      expect(same, language).toEqual([]);
    }
  });

  it('keeps the same {placeholders} in every language', () => {
    for (const key of KEYS) for (const language of LANGUAGES) expect(placeholders(CATALOGUES[language][key]), `${language}.${key}`).toEqual(placeholders(CATALOGUES.en[key]));
    expect(fill(CATALOGUES.kk.accountCreated, { username: 'aigerim' })).toBe('aigerim тіркелгісі жасалды.');
  });

  it.each([
    ['kk-KZ,kk;q=0.9,ru;q=0.8', undefined, 'kk'],
    ['ru-RU,ru;q=0.9,en-US;q=0.8', undefined, 'ru'],
    ['en-GB', undefined, 'en'],
    ['de-DE,ru;q=0.5', undefined, 'ru'],
    ['fr', undefined, 'en'],
    [undefined, undefined, 'en'],
    ['ru;q=0.2,kk;q=0.8', undefined, 'kk'],
    ['ru', 'kk', 'kk'],
    ['ru', 'xx', 'ru'],
  ])('Accept-Language %j with choice %j → %s', (header, chosen, expected) => {
    expect(negotiate(header, chosen)).toBe(expected);
  });

  it('takes the switch over the cookie over Accept-Language, and links each language to the same page', () => {
    const request = (query: unknown, cookie?: string) => ({ headers: { 'accept-language': 'ru' }, query, cookies: { mk_lang: cookie } });
    expect(languageOf(request({}))).toBe('ru');
    expect(languageOf(request({}, 'kk'))).toBe('kk');
    expect(languageOf(request({ lang: 'en' }, 'kk'))).toBe('en');
    expect(languageOf({ ...request({}, 'kk'), body: { lang: 'en' } })).toBe('en');
    expect(languageLinks('/console/accounts', 'kk').map((link) => [link.href, link.name, link.current])).toEqual([
      ['/console/accounts?lang=kk', 'Қазақша', true],
      ['/console/accounts?lang=ru', 'Русский', false],
      ['/console/accounts?lang=en', 'English', false],
    ]);
  });
});

describe('formatting for the language', () => {
  it.each([
    ['en', 7 * 3600 + 59 * 60 + 59, '7h 59m'],
    ['ru', 7 * 3600 + 59 * 60 + 59, '7 ч 59 мин'],
    ['kk', 7 * 3600 + 59 * 60 + 59, '7 сағ 59 мин'],
    ['ru', 45, '45 с'],
    ['en', 0, '0s'],
    ['ru', 86_400 + 60, '1 д. 1 мин'],
  ] as const)('%s: %d seconds → %s (minutes, not seconds, once past a minute)', (language, seconds, expected) => {
    expect(formatDuration(language, seconds)).toBe(expected);
  });

  it.each([
    ['en', 1_000_000_000, '1GB'],
    ['ru', 1_234_000_000, '1,2 ГБ'],
    ['kk', 1_234_000_000, '1,2 ГБ'],
    ['kk', 500_000_000, '500 МБ'],
    ['ru', 999, '999 Б'],
  ] as const)('%s: %d bytes → %s', (language, bytes, expected) => {
    expect(formatBytes(language, bytes)).toBe(expected);
  });

  it('writes dates in the school\'s time zone and numbers with the language\'s separators', () => {
    // 23:30 UTC on 30 November is already 1 December in Almaty (UTC+5).
    expect(formatDateTime('ru', '2026-11-30T23:30:00Z', 'Asia/Almaty')).toBe('01.12.2026, 04:30');
    expect(formatDateTime('en', '2026-11-30T23:30:00Z', 'Asia/Almaty')).toBe('12/1/26, 4:30 AM');
    expect(formatNumber('ru', 1234567.5).replace(/\s/g, ' ')).toBe('1 234 567,5');
    expect(formatNumber('en', 1234567.5)).toBe('1,234,567.5');
  });
});
