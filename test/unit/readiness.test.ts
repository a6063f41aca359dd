// Readiness (/readyz and Status-Server ask the same question) waits for the device directory:
// while it loads, MAC authentication asks Redis, and a load balancer should prefer another server.
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { readiness } from '../../src/plugins/health.js';

const instance = (devicesLoaded: boolean) => ({
  redisAnswers: async () => true,
  radius: { auth: { port: () => 1812 }, acct: { port: () => 1813 } },
  services: { devices: { loaded: () => devicesLoaded } },
}) as unknown as Pick<FastifyInstance, 'redisAnswers' | 'radius' | 'services'>;

describe('readiness', () => {
  it('is not ready while the device directory loads, and says why', async () => {
    expect(await readiness(instance(false))).toEqual({ ready: false, checks: { redis: 'ok', radius: 'ok', devices: 'loading' } });
  });

  it('is ready once it has loaded', async () => {
    expect(await readiness(instance(true))).toEqual({ ready: true, checks: { redis: 'ok', radius: 'ok', devices: 'ok' } });
  });
});
