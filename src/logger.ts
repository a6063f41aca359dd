// One pino logger for HTTP, RADIUS and the CLI. Secrets never reach a log line.
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export const REDACT_PATHS = [
  'password',
  'secret',
  '*.password',
  '*.secret',
  '*.uamSecret',
  '*.controllerPassword',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

/** A line waits in memory at most this long before it is written (docs/operations.md). */
export const LOG_FLUSH_MS = 250;
/** Lines are handed on together once they hold this many bytes: with ~330-byte authentication
 * lines, a batch of ~11 that still fits MAX_WRITE. A write costs the process ~20-45 µs of CPU
 * (the thread pool's hand-over included) whatever its size. */
const BATCH_BYTES = 3584;
/** Writes of whole lines, at most this many bytes unless one line is longer: a pipe shared by
 * the workers takes such a write in one piece (PIPE_BUF), never mixed with another's. */
const MAX_WRITE = 4096;
/** Bytes waiting for a blocked standard output at most; later lines are dropped and counted. */
export const LOG_MAX_WAITING_BYTES = 16 * 1024 * 1024;
/** How long a stop waits for the log to be written before it exits anyway. */
const IDLE_CAP_MS = 2000;

export interface LogDestination extends DestinationStream {
  write(line: string): boolean;
  /** pino's logger.flush(): calls `done` once everything collected so far is written. */
  flush(done?: (error?: Error) => void): void;
  /** Hands on what is held; resolves once all of it is written, or after `capMs`. */
  idle(capMs?: number): Promise<void>;
  /** Writes what is held, then closes the file (not a descriptor it was given) and stops its timer. */
  close(): Promise<void>;
}

interface DestinationOptions {
  /** Bytes waiting to be written beyond which lines are dropped (tests set a small one). */
  maxWaitingBytes?: number;
}

/** Destinations still open: what they hold is written when the process exits (process.exit after a fatal error). */
const open = new Set<{ exit(): void; idle(capMs?: number): Promise<void> }>();
process.on('exit', () => {
  for (const destination of open) destination.exit();
});

/**
 * Every open destination's held lines handed on and written, waiting at most `capMs`: what a stop
 * does before process.exit, which would otherwise leave a write waiting on a full pipe undone.
 */
export async function drainLogs(capMs = IDLE_CAP_MS): Promise<void> {
  await Promise.all([...open].map((destination) => destination.idle(capMs)));
}

/** The line written once a blocked output takes lines again, in pino's own shape. */
function droppedLine(lines: number): string {
  const line = { level: 40, time: Date.now(), pid: process.pid, hostname: hostname(), event: 'log-dropped', lines, msg: `log: ${lines} lines dropped while the output was blocked` };
  return `${JSON.stringify(line)}\n`;
}

const countLines = (data: string | Buffer): number => {
  let count = 0;
  for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) count++;
  return count;
};

/**
 * The server's destination (standard output, or a file for a bench): lines collected and handed
 * to pino's own destination (sonic-boom) a few kilobytes at a time, at the latest every
 * LOG_FLUSH_MS, and all of them on a stop (drainLogs) or exit. pino's default writes each line
 * by itself: a system call per Access-Request was the largest single cost of a MAC
 * authentication. Collected here rather than with sonic-boom's minLength, which copies its
 * growing buffer for every line (and so costs more than the writes it saves).
 */
export function logDestination(dest: number | string = 1, options: DestinationOptions = {}): LogDestination {
  const stream = pino.destination({ dest, sync: false, maxWrite: MAX_WRITE, maxLength: options.maxWaitingBytes ?? LOG_MAX_WAITING_BYTES });
  let lines: string[] = [];
  let bytes = 0;
  // Bytes handed to sonic-boom and not dropped, against bytes it reports written: equal when idle.
  let handed = 0;
  let written = 0;
  let dropped = 0;
  let waiters: (() => void)[] = [];
  // Checked a turn later: a 'drain' right after the last 'write' may hand on the dropped-lines report.
  const settle = () => {
    if (handed !== written || waiters.length === 0) return;
    queueMicrotask(() => {
      if (handed !== written) return;
      const settled = waiters;
      waiters = [];
      for (const resolve of settled) resolve();
    });
  };
  stream.on('write', (n: number) => {
    written += n;
    settle();
  });
  stream.on('drop', (data: string | Buffer) => {
    handed -= Buffer.byteLength(data);
    dropped += countLines(data);
    settle();
  });
  stream.on('drain', () => {
    if (dropped === 0) return;
    const report = droppedLine(dropped);
    dropped = 0;
    handed += Buffer.byteLength(report);
    stream.write(report);
  });
  const handOn = () => {
    if (lines.length === 0) return;
    const batch = lines.join('');
    handed += bytes;
    lines = [];
    bytes = 0;
    stream.write(batch);
  };
  const timer = setInterval(handOn, LOG_FLUSH_MS).unref();
  const idle = (capMs = IDLE_CAP_MS) => {
    handOn();
    if (handed === written) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cap = setTimeout(resolve, capMs).unref();
      waiters.push(() => {
        clearTimeout(cap);
        resolve();
      });
    });
  };
  const entry = {
    exit() {
      handOn();
      try {
        stream.flushSync();
      } catch {
        // A file not yet open, or an output that stays full: nothing more can be written now.
      }
    },
    idle,
  };
  open.add(entry);
  return {
    write(line: string): boolean {
      const size = Buffer.byteLength(line);
      // A batch never grows past one pipe write; a longer line goes by itself.
      if (bytes + size > MAX_WRITE) handOn();
      lines.push(line);
      bytes += size;
      if (bytes >= BATCH_BYTES) handOn();
      return true;
    },
    flush(done?: (error?: Error) => void): void {
      void idle().then(() => done?.());
    },
    idle,
    async close(): Promise<void> {
      clearInterval(timer);
      open.delete(entry);
      await idle();
      if (typeof dest === 'number') return;
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      });
    },
  };
}

/** Standard output's one destination, shared by every logger of the process (one batch, one order). */
let standardOutput: LogDestination | undefined;

/** What a silent logger is given: it writes nothing, so it needs no output, timer or batch. */
const nowhere: DestinationStream = { write: () => undefined };

/** Without a destination: standard output, through logDestination() (none for 'silent'). */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return pino(options, destination ?? (level === 'silent' ? nowhere : (standardOutput ??= logDestination(1))));
}
