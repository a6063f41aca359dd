// The unknown-NAS warning: once per address per minute, from a bounded memory.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createAuthLog } from '../../src/radius/auth-log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', sink) };
}

describe('unknown NAS warnings', () => {
  it('warn once per address per minute, and again in the next minute', () => {
    const { lines, log } = capture();
    let now = 0;
    const authLog = createAuthLog(log, () => now);
    for (let i = 0; i < 100; i += 1) authLog.unknownNas(i % 2 ? '192.0.2.1' : '192.0.2.2');
    expect(lines.map((line) => line.peer)).toEqual(['192.0.2.2', '192.0.2.1']);
    now += 59_999;
    authLog.unknownNas('192.0.2.1');
    expect(lines).toHaveLength(2);
    now += 1;
    authLog.unknownNas('192.0.2.1');
    expect(lines).toHaveLength(3);
  });

  it('remember at most 10,000 addresses a minute (a spoofed flood cannot grow it)', () => {
    const { lines, log } = capture();
    const authLog = createAuthLog(log, () => 0);
    for (let i = 0; i < 20_000; i += 1) authLog.unknownNas(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(lines).toHaveLength(10_000);
  });
});
