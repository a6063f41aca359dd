import { describe, expect, it } from 'vitest';
import { decodeCsv, parseCsv } from '../../src/store/csv.js';
import { normalizeUsername } from '../../src/store/users.js';

const COLUMNS = ['username', 'name', 'role'] as const;
const cp1251 = (text: string) => Buffer.from([...text].map((char) => (char >= 'А' && char <= 'я' ? char.charCodeAt(0) - 0x410 + 0xc0 : char.charCodeAt(0))));

describe('CSV files as Excel saves them', () => {
  it.each([
    ['UTF-8', Buffer.from('username,name,role\naruzhan,Аружан,student\n')],
    ['UTF-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('username,name,role\naruzhan,Аружан,student\n')])],
    ['Windows-1251', cp1251('username,name,role\naruzhan,Аружан,student\n')],
  ])('reads %s without turning letters into U+FFFD', (_what, bytes) => {
    const text = decodeCsv(bytes);
    expect(text).not.toContain('\uFFFD');
    expect(parseCsv(text, COLUMNS, ['username'])).toEqual([{ line: 2, row: { username: 'aruzhan', name: 'Аружан', role: 'student' } }]);
  });

  it('reads semicolon-separated files (Excel in a Russian or Kazakh locale)', () => {
    expect(parseCsv('username;name;role\r\naruzhan;"Аружан; 7B";student\r\n', COLUMNS, ['username'])).toEqual([{ line: 2, row: { username: 'aruzhan', name: 'Аружан; 7B', role: 'student' } }]);
  });

  it('refuses bytes that are not UTF-8 when UTF-8 was chosen, instead of guessing', () => {
    expect(() => decodeCsv(cp1251('username\nАружан\n'), 'utf-8')).toThrow(/not valid UTF-8/);
    expect(decodeCsv(cp1251('username\nАружан\n'), 'windows-1251')).toBe('username\nАружан\n');
  });
});

describe('usernames', () => {
  it('refuses a Cyrillic username with a message that says so', () => {
    expect(() => normalizeUsername('Аружан')).toThrow('username "Аружан": Cyrillic and other non-Latin letters are not supported in usernames (access points and devices garble them); use a Latin transliteration such as "aruzhan"');
  });
});
