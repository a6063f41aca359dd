// What a CLI command is: its words, usage, options (node:util parseArgs), and a run function
// that parses its input, calls a service as the root principal and shapes the output: a JSON
// value (stable field names, see README) and human text.
import type { ParseArgsConfig } from 'node:util';
import type { Services } from '../services/index.js';
import type { Principal } from '../services/principal.js';
import type { Store } from '../store/index.js';

export interface CliContext {
  services: Services;
  /** The CLI acts as root: whoever runs it on the server may do anything. */
  principal: Principal;
  /** Below the services, for root-only data operations (backup, restore). */
  store: Store;
  actor: string;
}

/** Bad usage (a missing option, a malformed value of one): exit 2 with the command's usage. */
export class UsageError extends Error {}

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
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** A whole number option (counts, ports), or the fallback when absent. */
export function whole(input: CommandInput, name: string, fallback?: number): number | undefined {
  const value = str(input, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}
