// The data layout version. Each release that changes the layout appends a migration; start-up
// (server and CLI) runs the ones not yet applied, and refuses data written by a newer Mektep.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SchemaError } from '../errors.js';
import { moveConsoleUsersToAccounts } from './accounts.js';
import { keys } from './keys.js';
import { BUILT_IN_ROLES } from './roles.js';
import { migrateSessionAddresses, migrateSessionIndexes, moveAddressesIntoBlocks, renameSessionFields } from './session-migration.js';

const MIGRATIONS: ((redis: Redis) => Promise<unknown>)[] = [
  // 1: the built-in roles.
  (redis) => redis.sadd(keys.roles, ...BUILT_IN_ROLES),
  // 2: console accounts apart from Wi-Fi users (their accidental Wi-Fi login removed).
  (redis) => moveConsoleUsersToAccounts(redis),
  // 3: session indexes as sorted sets by last update, with an expiry; per access point, not per NAS.
  (redis) => migrateSessionIndexes(redis),
  // 4: a client address's two keys as one hash, no set per MAC (issue 12: ≤ 1 KB per live session).
  (redis) => migrateSessionAddresses(redis),
  // 5: the session hash's fields by a letter each (issue 12; session-fields.ts).
  (redis) => renameSessionFields(redis),
  // 6: a client address's hash as fields of one hash per block of 64 addresses (issue 12; session-names.ts).
  (redis) => moveAddressesIntoBlocks(redis),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export async function migrate(redis: Redis): Promise<number> {
  const current = Number((await redis.get(keys.schemaVersion)) ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new SchemaError(`the data was written by a newer Mektep (layout ${current}, this one knows ${SCHEMA_VERSION}): upgrade Mektep`);
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    await MIGRATIONS[version - 1]!(redis);
    await redis.set(keys.schemaVersion, version);
  }
  return SCHEMA_VERSION;
}

/** SESSION_SECRET when set; otherwise one generated on first start and kept in Redis. */
export async function sessionSecret(redis: Redis, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await redis.set(keys.sessionSecret, randomBytes(48).toString('base64url'), 'NX');
  return (await redis.get(keys.sessionSecret))!;
}
