import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';

function messageOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration errors never repeat a secret', () => {
  it('names a SESSION_SECRET that is too short without showing it', () => {
    const message = messageOf({ SESSION_SECRET: 'hunter2-short' });
    expect(message).toMatch(/SESSION_SECRET=\(13 characters, value not shown\): expected at least 32 characters/);
    expect(message).not.toContain('hunter2');
  });

  it('names a bad METRICS_TOKEN without showing it', () => {
    const message = messageOf({ METRICS_TOKEN: 'tok with blanks but long enough to pass the length' });
    expect(message).toMatch(/METRICS_TOKEN=\(\d+ characters, value not shown\)/);
    expect(message).not.toContain('blanks');
  });

  it.each([
    ['a wrong scheme', 'http://mektep:S3cr3t-pw@redis.school.kz:6379', 'http://***@redis.school.kz:6379'],
    ['no scheme at all', 'mektep:S3cr3t-pw@redis.school.kz:6379', '***@redis.school.kz:6379'],
    ['an unparseable host', 'redis://:S3cr3t-pw@[redis', 'redis://***@[redis'],
  ])('shows a REDIS_URL with %s without its password', (_case, url, shownAs) => {
    const message = messageOf({ REDIS_URL: url });
    expect(message).toContain(`REDIS_URL=${JSON.stringify(shownAs)}`);
    expect(message).not.toContain('S3cr3t');
  });

  it('still shows ordinary values, which help the operator', () => {
    expect(messageOf({ HTTP_PORT: 'eighty' })).toContain('HTTP_PORT="eighty"');
    expect(messageOf({ METRICS_ALLOW: '10.0.0.0/33' })).toContain('"10.0.0.0/33" is not an IP address or CIDR block');
  });
});

describe('who may read /metrics', () => {
  it('is loopback by default, a list of addresses and blocks, or none; the token is optional', () => {
    expect(loadConfig({}).metrics).toEqual({ allow: ['127.0.0.1', '::1'], token: undefined });
    expect(loadConfig({ METRICS_ALLOW: '10.1.0.0/16, 192.0.2.7, fd00::/8' }).metrics.allow).toEqual(['10.1.0.0/16', '192.0.2.7', 'fd00::/8']);
    expect(loadConfig({ METRICS_ALLOW: 'none', METRICS_TOKEN: 'x'.repeat(32) }).metrics).toEqual({ allow: [], token: 'x'.repeat(32) });
  });
});
