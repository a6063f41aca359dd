// `mektep <words> [options]`: finds the command, parses its options, opens Redis as the server
// does (REDIS_URL, else the embedded one) and says which, runs it and prints JSON or text.
// Exit codes: 0 done, 1 refused or failed, 2 bad usage.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/env.js';
import { isCodedError } from '../errors.js';
import { connectRedis, type RedisHandle } from '../redis/connection.js';
import { createServices } from '../services/index.js';
import { createStore } from '../store/index.js';
import { migrate } from '../store/schema.js';
import { UsageError, type Command, type CommandInput } from './command.js';
import { commands } from './commands/index.js';
import { lazyLive } from './live.js';
import { openCliRedis } from './redis-notice.js';

const USAGE_EXIT = 2;

function usage(): string {
  const lines = commands.map((command) => `  mektep ${command.name} ${command.usage}`.trimEnd() + `\n      ${command.summary}`);
  return `Usage: mektep <command> [--json]\n\nCommands:\n${lines.join('\n')}\n`;
}

function find(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((word, index) => argv[index] === word)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** One line saying what was not understood: an unknown word, or a group without its subcommand. */
function unknown(args: string[]): string {
  const group = commands.filter((command) => command.name.split(' ')[0] === args[0] && command.name.includes(' '));
  if (group.length > 0) {
    const given = args.slice(0, 2).filter((arg) => !arg.startsWith('-')).join(' ');
    return `mektep: "${given}" is not a command; "${args[0]}" takes one of: ${[...new Set(group.map((command) => command.name.split(' ')[1]))].join(', ')}`;
  }
  const words = args.filter((arg) => !arg.startsWith('-')).slice(0, 2);
  return words.length > 0 ? `mektep: unknown command "${words.join(' ')}"` : `mektep: a command comes first, not "${args[0]}"`;
}

function inRange(count: number, expected: Command['positionals']): boolean {
  const [min, max] = typeof expected === 'number' ? [expected, expected] : expected;
  return count >= min && count <= max;
}

function usageError(command: Command, message: string): number {
  process.stderr.write(`mektep ${command.name}: ${message}\nUsage: mektep ${command.name} ${command.usage}\n`);
  return USAGE_EXIT;
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((arg) => arg !== '--json');
  const found = find(args);
  const help = args.length === 0 || args.includes('--help') || args.includes('-h');
  if (found && help) {
    process.stdout.write(`Usage: mektep ${found.command.name} ${found.command.usage}\n${found.command.summary}\n`);
    return 0;
  }
  if (!found) {
    if (help) {
      process.stdout.write(usage());
      return 0;
    }
    process.stderr.write(`${unknown(args)}\n\n${usage()}`);
    return USAGE_EXIT;
  }

  const { command, rest } = found;
  let input: CommandInput;
  try {
    const parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, allowNegative: true, strict: true });
    input = { positionals: parsed.positionals, values: parsed.values as CommandInput['values'] };
    if (!inRange(input.positionals.length, command.positionals)) throw new Error('wrong number of arguments');
  } catch (error) {
    return usageError(command, (error as Error).message);
  }

  let handle: RedisHandle | undefined;
  let redis;
  let live: ReturnType<typeof lazyLive> | undefined;
  try {
    const config = loadConfig();
    const opened = await openCliRedis(config);
    handle = opened.handle;
    for (const notice of opened.notices) process.stderr.write(`mektep: ${notice}\n`);
    redis = await connectRedis(handle.target);
    await migrate(redis);
    const store = createStore(redis);
    live = lazyLive(store);
    const actor = `cli:${userInfo().username}`;
    const services = createServices({ store, enforcer: live.enforcer, admit: live.admit });
    const result = await command.run({ services, principal: { kind: 'root', actor }, store, actor }, input);
    process.stdout.write(json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
    return result.exitCode ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(command, error.message);
    const coded = isCodedError(error);
    const message = coded ? error.message : String((error as Error).stack ?? error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: coded ? error.code : 'MK_ERR_INTERNAL', message } }, null, 2)}\n`);
    process.stderr.write(`mektep ${command.name}: ${message}\n`);
    return 1;
  } finally {
    await live?.close();
    await redis?.quit().catch(() => undefined);
    await handle?.close();
  }
}
