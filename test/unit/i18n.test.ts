import { describe, expect, it } from 'vitest';
import { CATALOGUES, LANGUAGES, negotiate } from '../../src/i18n/languages.js';

describe('translations', () => {
  it('has every key in every catalogue, none empty', () => {
    const reference = Object.keys(CATALOGUES.en).sort();
    for (const language of LANGUAGES) {
      expect(Object.keys(CATALOGUES[language]).sort()).toEqual(reference);
      for (const [key, text] of Object.entries(CATALOGUES[language])) expect(text.trim(), `${language}.${key}`).not.toBe('');
    }
  });

  it('translates rather than copying English', () => {
    const same = Object.keys(CATALOGUES.en).filter((key) => key !== 'title' && CATALOGUES.kk[key as keyof typeof CATALOGUES.en] === CATALOGUES.en[key as keyof typeof CATALOGUES.en]);
    expect(same).toEqual([]);
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
});
