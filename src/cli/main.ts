// `mektep <words> [options]`: finds the command, parses its options, opens Redis as the server
// does (REDIS_URL, else the embedded one), runs it and prints JSON or text.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/env.js';
import { isCodedError } from '../errors.js';
import { connectRedis, openRedis } from '../redis/connection.js';
import { createStore } from '../store/index.js';
import { migrate } from '../store/schema.js';
import type { Command } from './command.js';
import { commands } from './commands/index.js';
import { openLive, type Live } from './live.js';

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

function inRange(count: number, expected: Command['positionals']): boolean {
  const [min, max] = typeof expected === 'number' ? [expected, expected] : expected;
  return count >= min && count <= max;
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((arg) => arg !== '--json');
  const found = find(args);
  if (!found || args.includes('--help') || args.includes('-h')) {
    const out = found ? `Usage: mektep ${found.command.name} ${found.command.usage}\n${found.command.summary}\n` : usage();
    (found || args.length === 0 || args.includes('--help') ? process.stdout : process.stderr).write(out);
    return found || args.length === 0 || args.includes('--help') ? 0 : USAGE_EXIT;
  }

  const { command, rest } = found;
  let input;
  try {
    const parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, allowNegative: true, strict: true });
    input = { positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | string[] | undefined> };
    if (!inRange(input.positionals.length, command.positionals)) throw new Error('wrong number of arguments');
  } catch (error) {
    process.stderr.write(`mektep ${command.name}: ${(error as Error).message}\nUsage: mektep ${command.name} ${command.usage}\n`);
    return USAGE_EXIT;
  }

  let handle;
  let redis;
  let live: Promise<Live> | undefined;
  try {
    const config = loadConfig();
    handle = await openRedis(config.redisUrl, config.dataDir, 'cli');
    redis = await connectRedis(handle.target);
    await migrate(redis);
    const store = createStore(redis);
    const result = await command.run({ store, actor: `cli:${userInfo().username}`, live: () => (live ??= openLive(store)) }, input);
    process.stdout.write(json ? `${JSON.stringify(result.json, null, 2)}\n` : `${result.text}\n`);
    return result.exitCode ?? 0;
  } catch (error) {
    const coded = isCodedError(error);
    const message = coded ? error.message : String((error as Error).stack ?? error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: coded ? error.code : 'MK_ERR_INTERNAL', message } }, null, 2)}\n`);
    process.stderr.write(`mektep ${command.name}: ${message}\n`);
    return 1;
  } finally {
    if (live) (await live).close();
    await redis?.quit().catch(() => undefined);
    await handle?.close();
  }
}
