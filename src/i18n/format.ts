// Numbers, sizes, durations, dates and times as the person's language writes them ("1,2 ГБ",
// "7 сағ 59 мин", "01.12.2026, 14:05"), by Intl, dates in the school's time zone.
import type { Language } from './languages.js';

const BYTE_UNITS: [number, string][] = [[1e12, 'terabyte'], [1e9, 'gigabyte'], [1e6, 'megabyte'], [1e3, 'kilobyte']];

// ICU's Kazakh data spells megabyte with a Latin "M" ("MБ"): a reader sees it, a screen reader
// stumbles on it.
function fixed(language: Language, text: string): string {
  return language === 'kk' ? text.replace(/M(?=Б)/g, 'М') : text;
}

export function formatNumber(language: Language, value: number): string {
  return new Intl.NumberFormat(language).format(value);
}

/** Decimal units, as the policies count them: 1 GB = 10^9 bytes; one decimal at most. */
export function formatBytes(language: Language, bytes: number): string {
  const [size, unit] = BYTE_UNITS.find(([step]) => bytes >= step) ?? [1, 'byte'];
  const format = new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'narrow', maximumFractionDigits: 1 });
  return fixed(language, format.format(bytes / size));
}

/** Days, hours and minutes, floored ("7 ч 59 мин"); seconds only under a minute. */
export function formatDuration(language: Language, seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const parts: [number, string][] = [[Math.floor(whole / 86_400), 'day'], [Math.floor((whole % 86_400) / 3600), 'hour'], [Math.floor((whole % 3600) / 60), 'minute']];
  const shown = whole < 60 ? [[whole, 'second'] as [number, string]] : parts.filter(([count]) => count > 0);
  const words = shown.map(([count, unit]) => new Intl.NumberFormat(language, { style: 'unit', unit, unitDisplay: 'narrow' }).format(count));
  return new Intl.ListFormat(language, { style: 'narrow', type: 'unit' }).format(words);
}

/** A moment as a date and a time of day in the school's time zone. */
export function formatDateTime(language: Language, at: Date | string | number, timeZone: string): string {
  return new Intl.DateTimeFormat(language, { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(at));
}

export function formatDate(language: Language, at: Date | string | number, timeZone: string): string {
  return new Intl.DateTimeFormat(language, { timeZone, dateStyle: 'medium' }).format(new Date(at));
}
