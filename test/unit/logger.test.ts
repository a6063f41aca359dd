import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

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
