// REDIS_WAIT_REPLICAS: an accounting write not held by enough replicas in time is left
// unanswered (the NAS resends it) and counted; the Sentinel failover test proves the other side.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { accountingRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'wait-test-secret';
let fixture: AppFixture;

beforeAll(async () => {
  // This Redis has no replica at all: WAIT 1 can never be satisfied.
  fixture = await startAppFixture({ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '100' });
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
});

async function dropped(reason: string): Promise<number> {
  const line = (await fixture.app.inject('/metrics')).body.split('\n').find((row) => row.startsWith(`mektep_radius_dropped_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('leaves an accounting record unanswered and counted when no replica acknowledged it', async () => {
  const before = await dropped('redis-not-replicated');
  const records = [
    [['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'wait-1'], ['Calling-Station-Id', '02-00-5E-13-10-01']],
    [['Acct-Status-Type', 'Accounting-On']],
  ] as const;
  for (const [index, attributes] of records.entries()) {
    const reply = await ask(fixture.acct, accountingRequest(SECRET, [...attributes].map(([name, value]) => [name, value]), index + 1), '127.0.0.1', 1500);
    expect(reply?.frame.code === Code.AccountingResponse ? 'answered' : 'unanswered').toBe('unanswered');
  }
  expect(await dropped('redis-not-replicated')).toBe(before + 2);
});
