// A portal request's logger, made when the request first writes a line rather than for every
// request: Fastify makes a pino child per request (its bindings serialised, redaction applied),
// ~1 µs of the landing page, which writes nothing at the default level. A line written through
// it is the very line the child writes (the request id bound, the route's options).
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

interface Leveled {
  isLevelEnabled?(level: string): boolean;
}

class RequestLogger {
  #made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
  ) {}

  made(): FastifyBaseLogger {
    return (this.#made ??= this.parent.child(this.bindings));
  }

  get level(): string {
    return this.#made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.made().level = level;
  }

  /** A level the parent does not write is not written by its child either: no child made for it. */
  write(level: (typeof LEVELS)[number], line: unknown[]): void {
    if (!this.#made && (this.parent as Leveled).isLevelEnabled?.(level) === false) return;
    const made = this.made();
    Reflect.apply(made[level], made, line);
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.made().child(bindings, options);
  }
}

for (const level of LEVELS) {
  Object.defineProperty(RequestLogger.prototype, level, {
    value(this: RequestLogger, ...line: unknown[]) {
      this.write(level, line);
    },
  });
}

/** For `setChildLoggerFactory`: a route with its own log level or serializers gets pino's child at once. */
export function requestLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  if (Object.keys(options).length > 0) return parent.child(bindings, options);
  return new RequestLogger(parent, bindings) as unknown as FastifyBaseLogger;
}
