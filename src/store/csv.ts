// CSV files admins import (users, devices): a header naming known columns, then one record a
// line. Line numbers are kept so every error can point at its line. Files come as Excel saves
// them: UTF-8 with or without BOM, or Windows-1251; comma- or (in Russian and Kazakh locales)
// semicolon-separated.
import { parse } from 'csv-parse/sync';
import { isCodedError, ValidationError } from '../errors.js';

export const MAX_IMPORT_ROWS = 50_000;

export type CsvEncoding = 'utf-8' | 'windows-1251';
export const CSV_ENCODINGS: CsvEncoding[] = ['utf-8', 'windows-1251'];

/**
 * The text of a file: UTF-8 when it is valid UTF-8 (a BOM dropped), otherwise Windows-1251 —
 * the other encoding Excel uses for Cyrillic — unless one was chosen. Never U+FFFD in place of
 * a letter: a file that is not the chosen encoding is refused.
 */
export function decodeCsv(bytes: Uint8Array, encoding?: CsvEncoding): string {
  if (encoding === 'windows-1251') return new TextDecoder('windows-1251').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (encoding === 'utf-8') throw new ValidationError('the file is not valid UTF-8 (save it as "CSV UTF-8", or choose Windows-1251)');
    return new TextDecoder('windows-1251').decode(bytes);
  }
}

/** The separator the header line uses: a semicolon when it has more of those than commas. */
function delimiterOf(csv: string): string {
  const header = csv.slice(0, csv.search(/\r?\n|$/));
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

export interface CsvLine<Column extends string> {
  line: number;
  row: Partial<Record<Column, string>>;
}

export function parseCsv<Column extends string>(csv: string, columns: readonly Column[], required: readonly Column[]): CsvLine<Column>[] {
  let records: { record: Partial<Record<Column, string>>; info: { lines: number } }[];
  try {
    records = parse<{ record: Partial<Record<Column, string>>; info: { lines: number } }>(csv, {
      bom: true,
      delimiter: delimiterOf(csv),
      trim: true,
      skip_empty_lines: true,
      info: true,
      columns: (header: string[]) => {
        const names = header.map((name) => name.trim().toLowerCase());
        const unknown = names.filter((name) => !(columns as readonly string[]).includes(name));
        const missing = required.filter((name) => !names.includes(name));
        if (unknown.length || missing.length) {
          const problems = [...unknown.map((name) => `unknown column "${name}"`), ...missing.map((name) => `missing "${name}"`)];
          throw new ValidationError(`the header must name the columns ${columns.join(',')} (${problems.join(', ')})`);
        }
        return names;
      },
    });
  } catch (error) {
    if (isCodedError(error)) throw error;
    throw new ValidationError(`the file is not valid CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new ValidationError('the file has no records after its header');
  if (records.length > MAX_IMPORT_ROWS) throw new ValidationError(`at most ${MAX_IMPORT_ROWS} records per file; split it`);
  return records.map(({ record, info }) => ({ line: info.lines, row: record }));
}
