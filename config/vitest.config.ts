import { defineConfig } from 'vitest/config';

// Integration and e2e tests start real redis-server, UDP sockets and child processes:
// generous timeouts, and at most two files at once on the 2-core machines.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
