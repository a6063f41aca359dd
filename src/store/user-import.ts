// Importing users from CSV (header username,name,role,school,password). Every line is checked
// first; if any line is bad, nothing is written and every bad line is reported. Empty passwords
// are generated and returned once.
import { isCodedError, ValidationError } from '../errors.js';
import { generatePassword } from '../security/password.js';
import { parseCsv } from './csv.js';
import type { User, UserStore } from './users.js';
import type { Actor } from './write.js';

export const IMPORT_COLUMNS = ['username', 'name', 'role', 'school', 'password'] as const;

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

export interface ImportOptions {
  dryRun: boolean;
  actor: Actor;
  /** Every line belongs to this school: an empty school column means it, another one is an error. */
  school?: string | undefined;
}

export async function importUsers(users: Pick<UserStore, 'prepare' | 'existing' | 'addMany'>, csv: string, options: ImportOptions): Promise<ImportReport> {
  const rows = parseCsv(csv, IMPORT_COLUMNS, ['username', 'role']);
  const errors: ImportLineError[] = [];
  const ready: { line: number; user: User; password: string; generated: boolean }[] = [];
  const seen = new Map<string, number>();
  const schools = new Map<string, { mschapv2: boolean }>();
  const roles = new Set<string>();

  for (const { line, row } of rows) {
    const username = row.username ?? '';
    try {
      if (options.school && row.school && row.school !== options.school) throw new ValidationError(`school "${row.school}" is not the school ${options.school} this import is for`);
      const school = row.school || options.school;
      const generated = !row.password;
      const password = row.password || generatePassword();
      const user = await users.prepare({ username, password, role: row.role ?? '', ...(row.name ? { name: row.name } : {}), ...(school ? { school } : {}) }, schools, roles);
      const earlier = seen.get(user.username);
      if (earlier !== undefined) throw new ValidationError(`username "${user.username}" is also on line ${earlier}`);
      seen.set(user.username, line);
      ready.push({ line, user, password, generated });
    } catch (error) {
      if (!isCodedError(error)) throw error;
      errors.push({ line, username, error: error.message });
    }
  }

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
