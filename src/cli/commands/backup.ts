// `mektep backup <file>` while Mektep runs; `mektep restore <file>` with every instance stopped.
// The format and why: src/redis/backup.ts; operator steps: docs/deployment.md.
import { statSync } from 'node:fs';
import { loadConfig } from '../../config/env.js';
import { backup, restore } from '../../redis/backup.js';
import { connectRedis, targetFromUrl, type RedisTarget } from '../../redis/connection.js';
import { readLock } from '../../redis/data-lock.js';
import { embeddedSocketPath } from '../../redis/embedded.js';
import { keys } from '../../store/keys.js';
import { migrate } from '../../store/schema.js';
import { flag, UsageError, type Command } from '../command.js';

/** The Redis this CLI run uses: REDIS_URL, else the embedded one (the server's or the CLI's own). */
function target(): { target: RedisTarget; dataDir: string; embedded: boolean } {
  const config = loadConfig();
  if (config.redisUrl) return { target: targetFromUrl(config.redisUrl), dataDir: config.dataDir, embedded: false };
  const path = embeddedSocketPath(config.dataDir);
  return { target: { options: { path }, label: `embedded (${path})` }, dataDir: config.dataDir, embedded: true };
}

export const backupCommands: Command[] = [
  {
    name: 'backup',
    usage: '<file.rdb>',
    summary: 'Write a consistent snapshot of all data (a Redis RDB file) while Mektep runs.',
    positionals: 1,
    async run(_context, input) {
      const file = input.positionals[0]!;
      const { target: redis } = target();
      await backup(redis, file);
      const bytes = statSync(file).size;
      return { json: { file, bytes }, text: `backup written to ${file} (${bytes} bytes)` };
    },
  },
  {
    name: 'restore',
    usage: '<file.rdb> [--replace]',
    summary: 'Replace all data by a backup. Stop every Mektep instance first; --replace when the data is not empty.',
    options: { replace: { type: 'boolean' } },
    positionals: 1,
    async run({ actor, store }, input) {
      const file = input.positionals[0]!;
      const { target: where, dataDir, embedded } = target();
      if (embedded && readLock(dataDir)?.holder === 'server') throw new UsageError(`Mektep is running on ${dataDir}: stop it, then restore`);
      const redis = await connectRedis(where);
      try {
        const present = await redis.exists(keys.users, keys.nasAll, keys.schools, keys.devices, keys.sessions);
        if (present && !flag(input, 'replace')) throw new UsageError('the data is not empty: add --replace to overwrite it (every instance stopped)');
        const restored = await restore(file, redis, where.options.db ?? 0);
        // A backup from an earlier release is brought to this layout now, not at the next start.
        const layout = await migrate(redis);
        await store.audit.record({ actor, action: 'data.restore', target: file });
        return { json: { file, keys: restored, layout }, text: `${restored} keys restored from ${file} (data layout ${layout})` };
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  },
];
