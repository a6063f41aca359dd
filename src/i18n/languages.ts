// The languages of the portal and the console: Kazakh, Russian, English. The choice comes from
// an explicit switch (kept in a cookie), else from Accept-Language, else English.
import { en, type Messages } from './messages/en.js';
import { kk } from './messages/kk.js';
import { ru } from './messages/ru.js';

export const LANGUAGES = ['kk', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const CATALOGUES: Record<Language, Messages> = { kk, ru, en };
export type { Messages };

/** A message with its {placeholders} filled in (values are escaped by the template, not here). */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Accept-Language by quality ("ru-RU,ru;q=0.9,en;q=0.8"); the primary subtag decides. */
export function negotiate(acceptLanguage: string | undefined, chosen?: unknown): Language {
  if (isLanguage(chosen)) return chosen;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((param) => param.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { language: tag.toLowerCase().split('-')[0], q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLanguage) ?? 'en';
}
