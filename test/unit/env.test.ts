import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';

describe('configuration from the environment', () => {
  it('needs no variable at all: every one has a default', () => {
    // The resolver's defaults are checked with the resolver's own settings.
    const { dns: _resolver, ...config } = loadConfig({}, '/srv/mektep');
    expect(config).toEqual({
      redisUrl: undefined,
      http: { host: '0.0.0.0', port: 8080 },
      radius: { host: '0.0.0.0', authPort: 1812, acctPort: 1813 },
      publicUrl: 'http://localhost:8080',
      dataDir: '/srv/mektep/data',
      logLevel: 'info',
      sessionSecret: undefined,
      tls: undefined,
      trustProxy: false,
      redisCommandTimeoutMs: 1000,
      redisWait: { replicas: 0, timeoutMs: 500 },
      redisAppendFsync: 'everysec',
      metrics: { allow: ['127.0.0.1', '::1'], token: undefined },
      workers: 1,
    });
  });

  it('derives PUBLIC_URL from the HTTP host and port, and keeps one given explicitly', () => {
    expect(loadConfig({ HTTP_HOST: '10.0.0.5', HTTP_PORT: '80' }).publicUrl).toBe('http://10.0.0.5:80');
    expect(loadConfig({ PUBLIC_URL: 'https://wifi.school.kz/' }).publicUrl).toBe('https://wifi.school.kz');
  });

  it.each([
    ['HTTP_PORT', 'eighty', /HTTP_PORT="eighty": expected a whole number from 0 to 65535/],
    ['RADIUS_AUTH_PORT', '70000', /RADIUS_AUTH_PORT="70000"/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL="loud": expected one of fatal, error/],
    ['WORKERS', '0', /WORKERS="0": expected a whole number from 1 to 64 \(processes/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL="localhost:6379": expected redis:\/\//],
    ['SESSION_SECRET', 'short', /SESSION_SECRET=\(5 characters, value not shown\): expected at least 32 characters/],
    ['PUBLIC_URL', 'wifi.school.kz', /PUBLIC_URL/],
    ['HTTP_HOST', 'a b', /HTTP_HOST="a b": expected an IP address or host name/],
    ['REDIS_COMMAND_TIMEOUT_MS', '20', /REDIS_COMMAND_TIMEOUT_MS="20": expected a whole number from 50 to 10000/],
  ])('stops on a bad %s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('serves HTTPS only with both a certificate and a key, and reads who may forward', () => {
    expect(() => loadConfig({ TLS_CERT: 'cert.pem' })).toThrow(/TLS_KEY is missing/);
    expect(loadConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem', HTTP_PORT: '8443' }, '/srv')).toMatchObject({ tls: { cert: '/srv/c.pem', key: '/srv/k.pem' }, publicUrl: 'https://localhost:8443' });
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ HTTP_PORT: '' }).http.port).toBe(8080);
  });
});
