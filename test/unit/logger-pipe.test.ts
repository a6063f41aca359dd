// The server's log destination writing to a standard output that is a pipe its reader leaves
// full for a second (journald or docker behind): real processes, a real pipe.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';

const LINES = 10_000;

/** Runs `script` (ESM, from the repository root) with its standard output read only after `stallMs`. */
function runBehindSlowReader(script: string, stallMs: number): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), stallMs);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: Buffer.concat(chunks).toString().split('\n').filter(Boolean), stderr }));
  });
}

const indexes = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { i?: number }).i).filter((i) => i !== undefined);

describe('the log on a pipe whose reader stalls', () => {
  it('loses no line on an ordinary stop: drainLogs() before process.exit (as server and cluster stop)', async () => {
    const script = "import { createLogger, drainLogs } from './src/logger.ts'; const log = createLogger('info');"
      // By 300 ms the pipe is full and a batch waits to retry its write: process.exit alone loses it.
      + ` for (let i = 0; i < ${LINES}; i++) log.info({ event: 'auth', i }, 'line');`
      + ' await new Promise((resolve) => setTimeout(resolve, 300)); await drainLogs(); process.exit(0);';
    const result = await runBehindSlowReader(script, 1000);
    expect(result.code, result.stderr).toBe(0);
    expect(indexes(result.lines)).toEqual(Array.from({ length: LINES }, (_, i) => i));
  }, 10_000);

  it('drops lines past its memory bound while blocked, and says how many once it writes again', async () => {
    const script = "import { createLogger, drainLogs, logDestination } from './src/logger.ts';"
      + " const log = createLogger('info', logDestination(1, { maxWaitingBytes: 128 * 1024 }));"
      + ` for (let i = 0; i < ${LINES}; i++) log.info({ event: 'auth', i }, 'line'); await drainLogs(); process.exit(0);`;
    const result = await runBehindSlowReader(script, 1000);
    expect(result.code, result.stderr).toBe(0);
    const written = indexes(result.lines);
    const reports = result.lines.map((line) => JSON.parse(line) as { event?: string; lines?: number }).filter((line) => line.event === 'log-dropped');
    expect(reports).toHaveLength(1);
    expect(written.length).toBeLessThan(LINES);
    expect(written.length + reports[0]!.lines!).toBe(LINES);
    expect(written).toEqual([...written].sort((a, b) => a - b));
  }, 10_000);
});
