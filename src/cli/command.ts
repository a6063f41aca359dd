// What a CLI command is: its words, usage, options (node:util parseArgs), and a run function
// that returns both a JSON value (stable field names, see README) and human text.
import type { ParseArgsConfig } from 'node:util';
import { ValidationError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Live } from './live.js';

export interface CliContext {
  store: Store;
  actor: string;
  /** Admission and live enforcement (CoA / Disconnect), opened on first use. */
  live: () => Promise<Live>;
}

export interface CommandInput {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CommandOutput {
  json: unknown;
  text: string;
  /** Non-zero when the command reports errors in its output (a CSV with bad lines). */
  exitCode?: number;
}

export interface Command {
  /** The command words, e.g. "nas add". */
  name: string;
  /** Arguments after the words, e.g. "<ip-or-cidr> --secret <secret> ...". */
  usage: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments: exact, or [min, max]. */
  positionals: number | [number, number];
  run(context: CliContext, input: CommandInput): Promise<CommandOutput>;
}

export function str(input: CommandInput, name: string): string | undefined {
  const value = input.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(input: CommandInput, name: string): boolean {
  return input.values[name] === true;
}

export function list(input: CommandInput, name: string): string[] {
  const value = input.values[name];
  return Array.isArray(value) ? value : [];
}

export function required(input: CommandInput, name: string): string {
  const value = str(input, name);
  if (value === undefined) throw new ValidationError(`--${name} is required`);
  return value;
}
