// CSV files admins import (users, devices): a header naming known columns, then one record a
// line. Line numbers are kept so every error can point at its line.
import { parse } from 'csv-parse/sync';
import { isCodedError, ValidationError } from '../errors.js';

export const MAX_IMPORT_ROWS = 50_000;

export interface CsvLine<Column extends string> {
  line: number;
  row: Partial<Record<Column, string>>;
}

export function parseCsv<Column extends string>(csv: string, columns: readonly Column[], required: readonly Column[]): CsvLine<Column>[] {
  let records: { record: Partial<Record<Column, string>>; info: { lines: number } }[];
  try {
    records = parse<{ record: Partial<Record<Column, string>>; info: { lines: number } }>(csv, {
      bom: true,
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
