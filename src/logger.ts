// One pino logger for HTTP, RADIUS and the CLI. Secrets never reach a log line.
import { pino, type Logger, type LevelWithSilent } from 'pino';

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
/** Lines are handed on together once they hold this many characters: with ~330-character
 * authentication lines, a batch of ~11 that still fits MAX_WRITE. A write costs the process
 * ~20-45 µs of CPU (the thread pool's hand-over included) whatever its size. */
const BATCH_CHARACTERS = 3584;
/** Writes of whole lines, at most this many bytes unless one batch is longer: a pipe shared by
 * the workers takes such a write in one piece (PIPE_BUF), never mixed with another's. */
const MAX_WRITE = 4096;

/** Batches not yet handed on are, when the process exits (process.exit on SIGTERM, a fatal error). */
const open = new Set<() => void>();
process.on('exit', () => {
  for (const flush of open) flush();
});

/**
 * The server's destination (standard output, or a file for a bench): lines collected and handed
 * to pino's own destination (sonic-boom) a few kilobytes at a time, at the latest every
 * LOG_FLUSH_MS, and all of them on exit. pino's default writes each line by itself: a system
 * call per Access-Request was the largest single cost of a MAC authentication. Collected here
 * rather than with sonic-boom's minLength, which copies its growing buffer for every line (and
 * so costs more than the writes it saves).
 */
export function logDestination(dest: number | string = 1): NodeJS.WritableStream {
  const stream = pino.destination({ dest, sync: false, maxWrite: MAX_WRITE });
  let lines: string[] = [];
  let characters = 0;
  const handOn = () => {
    if (lines.length === 0) return;
    const batch = lines.join('');
    lines = [];
    characters = 0;
    stream.write(batch);
  };
  setInterval(handOn, LOG_FLUSH_MS).unref();
  open.add(() => {
    handOn();
    try {
      stream.flushSync();
    } catch {
      // A file not yet open when the process exits: nothing of it can be written now.
    }
  });
  const destination = {
    write(line: string): boolean {
      lines.push(line);
      characters += line.length;
      if (characters >= BATCH_CHARACTERS) handOn();
      return true;
    },
    /** pino's logger.flush(): what is collected, handed on and written. */
    flush(done?: (error?: Error) => void): void {
      handOn();
      stream.flush(done);
    },
  };
  return destination as unknown as NodeJS.WritableStream;
}

/** Standard output's one destination, shared by every logger of the process (one batch, one order). */
let standardOutput: NodeJS.WritableStream | undefined;

/** Without a destination: standard output, through logDestination(). */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return pino(options, destination ?? (standardOutput ??= logDestination(1)));
}
