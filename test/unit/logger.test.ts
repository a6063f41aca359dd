import { spawnSync } from 'node:child_process';
import fs, { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, LOG_FLUSH_MS, logDestination } from '../../src/logger.js';
import { ROOT, waitFor } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'mk-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

describe('logs', () => {
  it('never contain passwords, secrets, cookies or authorization headers', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } });
    const log = createLogger('info', sink);
    log.info({ password: 'hunter2', nas: { secret: 'radius-secret', uamSecret: 'uam-secret', controllerPassword: 'ctl-pw' }, req: { headers: { cookie: 'sid=abc', authorization: 'Bearer tok' } } }, 'login');
    const text = lines.join('');
    for (const secret of ['hunter2', 'radius-secret', 'uam-secret', 'ctl-pw', 'sid=abc', 'Bearer tok']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});

describe("the server's destination", () => {
  it('holds a line back (no write per line) and writes it within the flush period', async () => {
    const file = join(dir, 'batched.log');
    const log = createLogger('info', logDestination(file));
    log.info({ event: 'auth', outcome: 'accept' }, 'radius auth accept: ok');
    // Due before the first periodic flush, whose timer started with the destination.
    await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS / 5));
    expect(read(file)).toBe('');
    // Without a periodic flush a lone line would wait for kilobytes more, however long.
    const text = await waitFor(async () => (read(file).includes('radius auth accept') ? read(file) : undefined), 5000, 'the line');
    expect(JSON.parse(text)).toMatchObject({ event: 'auth', outcome: 'accept', msg: 'radius auth accept: ok' });
  });

  it('writes every line whole, in order, however many arrive at once', async () => {
    const file = join(dir, 'many.log');
    const log = createLogger('info', logDestination(file));
    for (let i = 0; i < 500; i++) log.info({ event: 'auth', i, pad: 'x'.repeat(i % 300) }, 'line');
    const lines = await waitFor(async () => {
      const all = read(file).split('\n').filter(Boolean);
      return all.length === 500 ? all : undefined;
    }, 5000, 'all 500 lines');
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('writes what it holds when the process exits at once (process.exit, as on SIGTERM)', () => {
    const file = join(dir, 'exit.log');
    const script = "import { openSync } from 'node:fs'; import { createLogger, logDestination } from './src/logger.ts';"
      + " const log = createLogger('info', logDestination(openSync(process.argv[1], 'w'))); log.info({ event: 'auth' }, 'last words'); process.exit(0);";
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(read(file)).toContain('"msg":"last words"');
  });

  it("calls flush's callback only once every line is written", async () => {
    const file = join(dir, 'flushed.log');
    const log = createLogger('info', logDestination(file));
    for (let i = 0; i < 2000; i++) log.info({ event: 'auth', i }, 'line');
    const linesAtCallback = await new Promise<number>((resolve) => log.flush(() => resolve(read(file).split('\n').filter(Boolean).length)));
    expect(linesAtCallback).toBe(2000);
  });

  it('never makes a write over 4 KB of several lines, counting bytes (Cyrillic is 2 a letter)', async () => {
    const fd = openSync(join(dir, 'cyrillic.log'), 'w');
    const sizes: { bytes: number; lines: number }[] = [];
    const write = fs.write;
    // The real write, observed: which sizes reach the file descriptor.
    fs.write = ((...args: Parameters<typeof fs.write>) => {
      const [target, data] = args as unknown as [number, string | Buffer];
      if (target === fd) sizes.push({ bytes: Buffer.byteLength(data), lines: (data.toString().match(/\n/g) ?? []).length });
      return (write as (...rest: unknown[]) => unknown)(...args);
    }) as typeof fs.write;
    try {
      const destination = logDestination(fd);
      const log = createLogger('info', destination);
      for (let i = 0; i < 40; i++) log.info({ event: 'auth', i, school: 'Мектеп'.repeat(100 + i * 20) }, 'line');
      log.info({ event: 'auth', long: 'ж'.repeat(3000) }, 'one line longer than a pipe write');
      await destination.close();
    } finally {
      fs.write = write;
      closeSync(fd);
    }
    expect(sizes.reduce((sum, write) => sum + write.lines, 0)).toBe(41);
    for (const size of sizes) expect(size.bytes <= 4096 || size.lines === 1, `${size.bytes} bytes, ${size.lines} lines`).toBe(true);
  });

  it('closes: its file descriptor released, its timer stopped, what it held written', async () => {
    const descriptors = () => readdirSync('/proc/self/fd').length;
    const before = descriptors();
    const file = join(dir, 'closed.log');
    const destination = logDestination(file);
    createLogger('info', destination).info({ event: 'auth' }, 'before close');
    await destination.close();
    expect(read(file)).toContain('"msg":"before close"');
    expect(descriptors()).toBe(before);
  });

  it("sets up no output for a silent logger (the CLI's)", () => {
    const stream = (logger: ReturnType<typeof createLogger>) => (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
    expect(stream(createLogger('silent'))).not.toBe(stream(createLogger('info')));
  });
});
