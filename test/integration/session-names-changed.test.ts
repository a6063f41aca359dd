// A record whose session holds index names that cannot be passed in KEYS (session-scripts.ts) is
// given up after three calls: left unanswered so the NAS resends it, counted and logged as a drop.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';
import { accountingRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'names-test-secret';
let fixture: AppFixture;

beforeAll(async () => {
  fixture = await startAppFixture();
  await fixture.store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(() => fixture?.close());

/** The transport's count of records left unanswered for this reason (0 before the first). */
const namesChangedDrops = async (): Promise<number> =>
  Number(/mektep_radius_dropped_total\{reason="session-names-changed"\} (\d+)/.exec((await fixture.app.inject('/metrics')).body)?.[1] ?? 0);

const record = (status: string, octets: number, identifier: number) =>
  accountingRequest(SECRET, [['Acct-Status-Type', status], ['Acct-Session-Id', 'names-1'], ['Calling-Station-Id', '02-00-5E-13-20-01'], ['Acct-Input-Octets', octets]], identifier);

it('leaves a record unanswered and counted when its session\'s stored names can never be matched', async () => {
  expect((await ask(fixture.acct, record('Start', 0, 1), '127.0.0.1', 1500))?.frame.code).toBe(Code.AccountingResponse);
  // A damaged hash: its index list names something that is no key name.
  await fixture.server.client().hset('mk:session:127.0.0.1%7Cnames-1', 'indexes', '[1]');
  const before = await namesChangedDrops();
  expect(await ask(fixture.acct, record('Interim-Update', 500, 2), '127.0.0.1', 1500)).toBeUndefined();
  expect(await namesChangedDrops()).toBe(before + 1);
  expect((await fixture.store.sessions.get('127.0.0.1', 'names-1'))?.inOctets).toBe(0);
});
