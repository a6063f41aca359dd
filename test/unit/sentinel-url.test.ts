import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { targetFromUrl } from '../../src/redis/connection.js';
import { parseSentinelUrl } from '../../src/redis/sentinel-url.js';

describe('REDIS_URL in the Sentinel form', () => {
  it('names every sentinel, the master, the database and the credentials', () => {
    expect(parseSentinelUrl('redis+sentinel://mk:s%40cret@10.0.0.1:26379,[fd00::2]:26380,sentinel-3/region-a?db=2&sentinelPassword=sp')).toEqual({
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: 'fd00::2', port: 26380 }, { host: 'sentinel-3', port: 26379 }],
      masterName: 'region-a', db: 2, username: 'mk', password: 's@cret', sentinelPassword: 'sp',
    });
  });

  it('gives ioredis the sentinels and a label without any password', () => {
    const target = targetFromUrl('redis+sentinel://:master-pass@127.0.0.1:26379,127.0.0.1:26380/mektep?sentinelPassword=sentinel-pass');
    expect(target.options).toMatchObject({ sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }], name: 'mektep', password: 'master-pass', sentinelPassword: 'sentinel-pass' });
    expect(target.label).toBe('sentinel:127.0.0.1:26379,127.0.0.1:26380/mektep');
  });

  it.each([
    ['redis+sentinel://127.0.0.1:26379', 'master name'],
    ['redis+sentinel:///mektep', 'at least one sentinel'],
    ['redis+sentinel://127.0.0.1:99999/mektep', 'not host:port'],
    ['redis+sentinel://127.0.0.1/mektep?db=x', 'db must be'],
  ])('refuses %s at start, naming what is wrong and hiding the password', (url, problem) => {
    expect(() => loadConfig({ REDIS_URL: url })).toThrow(problem);
    expect(() => loadConfig({ REDIS_URL: url.replace('://', '://mk:hunter2@') })).toThrow(/\*\*\*@/);
  });

  it('reads REDIS_WAIT_REPLICAS and its timeout (default: no waiting)', () => {
    expect(loadConfig({}).redisWait).toEqual({ replicas: 0, timeoutMs: 500 });
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '200' }).redisWait).toEqual({ replicas: 1, timeoutMs: 200 });
  });
});
