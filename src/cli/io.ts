// What the CLI reads: secrets from standard input (scripts) or a no-echo prompt (people), and
// the files it is given.
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';
import { CSV_ENCODINGS, decodeCsv, type CsvEncoding } from '../store/csv.js';

export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) throw new ValidationError(`${what}: standard input is a terminal; pipe the value in, e.g. printf %s "$VALUE" | mektep ...`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is what `echo` adds, not part of the value.
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (value.length === 0) throw new ValidationError(`${what}: nothing on standard input`);
  return value;
}

/** Asks without echoing what is typed (raw mode); Ctrl-C aborts. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new ValidationError('no terminal to ask for the password on: use --password-stdin'));
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    input.setRawMode(true);
    input.resume();
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(value));
        if (char === '\u0003') return finish(() => reject(new ValidationError('cancelled')));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    const finish = (then: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      then();
    };
    input.on('data', onData);
  });
}

/** A new password: --password-stdin, else asked twice on the terminal. */
export async function newPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdin('password');
  const first = await promptHidden('Password: ');
  const second = await promptHidden('Password again: ');
  if (first !== second) throw new ValidationError('the two passwords differ');
  return first;
}

/** A file the command was given, or an error that says why it cannot be read. */
export async function readInputFile(path: string): Promise<string> {
  return (await readBytes(path)).toString('utf8');
}

function readBytes(path: string): Promise<Buffer> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new ValidationError(`cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
}

/** A CSV file as Excel saves it (UTF-8 or Windows-1251, detected unless `encoding` is given). */
export async function readCsvFile(path: string, encoding: string | undefined): Promise<string> {
  if (encoding !== undefined && !(CSV_ENCODINGS as string[]).includes(encoding.toLowerCase())) {
    throw new ValidationError(`--encoding takes ${CSV_ENCODINGS.join(' or ')}`);
  }
  return decodeCsv(await readBytes(path), encoding?.toLowerCase() as CsvEncoding | undefined);
}
