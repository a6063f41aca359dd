// Users as a CSV file Excel opens right: UTF-8 with a BOM (without one Excel reads Cyrillic as
// Windows-1251 mojibake), the separator Excel expects in the person's locale (a semicolon in
// Russian and Kazakh, where the comma is the decimal sign), and every cell that Excel would take
// for a formula (=, +, -, @, tab, CR at the start) made plain text with a leading apostrophe.
import type { Language } from '../i18n/languages.js';
import type { PublicUser } from '../store/users.js';

export const EXPORT_COLUMNS = ['username', 'name', 'role', 'school', 'status', 'expires'] as const;
const BOM = '\uFEFF';

export function separatorFor(language: Language): string {
  return language === 'en' ? ',' : ';';
}

function cell(value: string, separator: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(separator) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function usersCsv(users: PublicUser[], language: Language): string {
  const separator = separatorFor(language);
  const line = (values: string[]) => values.map((value) => cell(value, separator)).join(separator);
  const rows = users.map((user) => line([user.username, user.name, user.role, user.school ?? '', user.status, user.expiresAt?.slice(0, 10) ?? '']));
  return `${BOM}${[line([...EXPORT_COLUMNS]), ...rows].join('\r\n')}\r\n`;
}
