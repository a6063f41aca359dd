// Importing users from CSV (header username,name,role,school,password). Every line is checked
// first; if any line is bad, nothing is written and every bad line is reported. Empty passwords
// are generated and returned once.
import { parse } from 'csv-parse/sync';
import { isCodedError, ValidationError } from '../errors.js';
import { generatePassword } from '../security/password.js';
import type { User, UserStore } from './users.js';

export const IMPORT_COLUMNS = ['username', 'name', 'role', 'school', 'password'] as const;
const REQUIRED_COLUMNS = ['username', 'role'];
export const MAX_IMPORT_ROWS = 50_000;

export interface ImportLineError {
  line: number;
  username: string;
  error: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** Users created (or that would be, in a dry run). */
  created: number;
  generated: { username: string; password: string }[];
  errors: ImportLineError[];
}

type Row = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

function parseRows(csv: string): { line: number; row: Row }[] {
  let records: { record: Row; info: { lines: number } }[];
  try {
    records = parse<{ record: Row; info: { lines: number } }>(csv, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      columns: (header: string[]) => {
        const names = header.map((name) => name.trim().toLowerCase());
        const unknown = names.filter((name) => !(IMPORT_COLUMNS as readonly string[]).includes(name));
        const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
        if (unknown.length || missing.length) {
          throw new ValidationError(`the header must be ${IMPORT_COLUMNS.join(',')} (${[...unknown.map((name) => `unknown column "${name}"`), ...missing.map((name) => `missing "${name}"`)].join(', ')})`);
        }
        return names;
      },
    });
  } catch (error) {
    if (isCodedError(error)) throw error;
    throw new ValidationError(`the file is not valid CSV: ${(error as Error).message}`);
  }
  if (records.length > MAX_IMPORT_ROWS) throw new ValidationError(`at most ${MAX_IMPORT_ROWS} users per file; split it`);
  return records.map(({ record, info }) => ({ line: info.lines, row: record }));
}

export async function importUsers(users: Pick<UserStore, 'prepare' | 'existing' | 'addMany'>, csv: string, options: { dryRun: boolean; actor: string }): Promise<ImportReport> {
  const rows = parseRows(csv);
  const errors: ImportLineError[] = [];
  const ready: { line: number; user: User; password: string; generated: boolean }[] = [];
  const seen = new Map<string, number>();
  const schools = new Set<string>();
  const roles = new Set<string>();

  for (const { line, row } of rows) {
    const username = row.username ?? '';
    try {
      const generated = !row.password;
      const password = row.password || generatePassword();
      const user = await users.prepare({ username, password, role: row.role ?? '', ...(row.name ? { name: row.name } : {}), ...(row.school ? { school: row.school } : {}) }, schools, roles);
      const earlier = seen.get(user.username);
      if (earlier !== undefined) throw new ValidationError(`username "${user.username}" is also on line ${earlier}`);
      seen.set(user.username, line);
      ready.push({ line, user, password, generated });
    } catch (error) {
      if (!isCodedError(error)) throw error;
      errors.push({ line, username, error: error.message });
    }
  }
  if (rows.length === 0) throw new ValidationError('the file has no users after its header');

  const taken = await users.existing(ready.map((entry) => entry.user.username));
  for (const entry of ready) {
    if (taken.has(entry.user.username)) errors.push({ line: entry.line, username: entry.user.username, error: `user "${entry.user.username}" already exists` });
  }
  errors.sort((a, b) => a.line - b.line);

  const generated = ready.filter((entry) => entry.generated).map((entry) => ({ username: entry.user.username, password: entry.password }));
  if (errors.length > 0) return { dryRun: options.dryRun, created: 0, generated: [], errors };
  if (options.dryRun) return { dryRun: true, created: ready.length, generated: [], errors };

  const raced = await users.addMany(ready, options.actor);
  if (raced.length > 0) {
    // Someone added the same usernames between the check and the write: nothing was written.
    const lineOf = new Map(ready.map((entry) => [entry.user.username, entry.line]));
    return { dryRun: false, created: 0, generated: [], errors: raced.map((username) => ({ line: lineOf.get(username) ?? 0, username, error: `user "${username}" already exists` })) };
  }
  return { dryRun: false, created: ready.length, generated, errors };
}
