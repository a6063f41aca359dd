// Disconnect and CoA name a session as the access point knows it (hardening items 10 and 17):
// its User-Name as the AP sent it (a name typed in capitals, a portal token rather than the
// person's username), its Acct-Session-Id byte for byte even when not UTF-8, its
// Calling-Station-Id. FreeRADIUS stands in for the AP and logs each attribute in hex.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncodableAttribute } from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code } from '../../src/radius-wire/packet.js';
import type { Store } from '../../src/store/index.js';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { startFreeRadius, writeConfig, type FreeRadius } from '../helpers/freeradius.js';
import { freePort, waitFor } from '../helpers/process.js';
import { radclient } from '../helpers/radclient.js';
import { accessRequest, accountingRequest } from '../helpers/radius-wire.js';
import { ask } from '../helpers/udp-peer.js';

const SECRET = 'coa-identity-10';
const MB = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'mk-coa-id-'));
const coaLog = join(dir, 'coa.log');
let fixture: AppFixture;
let store: Store;
let peer: FreeRadius;
let identifier = 0;

const hex = (value: string | Buffer) => Buffer.from(value).toString('hex');

function peerLines(): string[] {
  return existsSync(coaLog) ? readFileSync(coaLog, 'utf8').trim().split('\n').filter(Boolean) : [];
}

beforeAll(async () => {
  fixture = await startAppFixture();
  store = fixture.store;
  const [coaPort, peerAuth] = [await freePort(), await freePort()];
  const raddb = writeConfig(join(dir, 'freeradius'), { authPort: peerAuth, acctPort: await freePort(), secret: SECRET, macs: [], coa: { port: coaPort, log: coaLog } });
  // The attributes in hex: what arrived on the wire, byte for byte.
  writeFileSync(join(raddb, 'mods-enabled', 'linelog_coa'), `linelog linelog_coa {
  filename = ${coaLog}
  permissions = 0644
  format = "%{Packet-Type} user=%{hex:&User-Name} sess=%{hex:&Acct-Session-Id} mac=%{hex:&Calling-Station-Id}"
}
`);
  peer = await startFreeRadius(raddb, async () => (await radclient(peerAuth, 'auth', SECRET, 'User-Name=probe,User-Password=x,Message-Authenticator=0x00', 2)).reply !== undefined);
  await store.schools.add({ id: 'sch-10', name: 'School 10' }, 'test');
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'mikrotik', school: 'sch-10', coaPort, rejectDelayMs: 0 }, 'test');
  await store.policies.set('student', undefined, { dailyQuota: 10 * MB }, [], 'test');
  await store.policies.set('teacher', undefined, { downRate: 8_000_000 }, [], 'test');
  await store.users.add({ username: 'dana', password: 'dana-password', role: 'student', school: 'sch-10' }, 'test');
  await store.users.add({ username: 'timur', password: 'timur-password', role: 'teacher', school: 'sch-10' }, 'test');
  await waitFor(async () => fixture.app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
  await peer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function login(userName: string, password: string, mac: string): Promise<Buffer> {
  const reply = await ask(fixture.auth, accessRequest(SECRET, [['User-Name', userName], ['User-Password', password], ['Calling-Station-Id', mac]], { identifier: ++identifier % 256 }));
  expect(reply?.frame.code).toBe(Code.AccessAccept);
  return Buffer.from(reply!.attributes.raw(25)!);
}

async function account(attributes: EncodableAttribute[]): Promise<void> {
  const reply = await ask(fixture.acct, accountingRequest(SECRET, attributes, ++identifier % 256));
  expect(reply?.frame.code).toBe(Code.AccountingResponse);
}

describe('the identifiers of a session, sent back as the NAS sent them', () => {
  it('quota Disconnect: the User-Name as typed and an Acct-Session-Id that is not UTF-8', async () => {
    const mac = 'aa-BB-cc-10-00-01';
    const className = await login('Dana', 'dana-password', mac);
    const sessionId = Buffer.from([0xff, 0xfe, 0x41, 0x80, 0x00, 0x7a]);
    const named: EncodableAttribute[] = [['Acct-Session-Id', sessionId], ['User-Name', 'Dana'], ['Calling-Station-Id', mac], ['Class', className]];
    await account([['Acct-Status-Type', 'Start'], ...named]);
    expect((await store.sessions.list({ user: 'dana' })).map((session) => session.sessionId)).toEqual([`hex:${hex(sessionId)}`]);
    await account([['Acct-Status-Type', 'Interim-Update'], ...named, ['Acct-Output-Octets', 11 * MB]]);
    const line = await waitFor(async () => peerLines().find((row) => row.startsWith('Disconnect-Request')), 5000, 'the Disconnect at the peer');
    expect(line).toBe(`Disconnect-Request user=${hex('Dana')} sess=${hex(sessionId)} mac=${hex(mac)}`);
  });

  it('policy CoA: the portal token the AP logged in with, not the person behind it', async () => {
    const token = await store.tokens.mint({ role: 'teacher', school: 'sch-10', user: 'timur', mac: 'aa:bb:cc:10:00:02', nas: '127.0.0.1' });
    const className = await login(token.username, token.password, 'AA:BB:CC:10:00:02');
    await account([['Acct-Status-Type', 'Start'], ['Acct-Session-Id', 'Sess-Timur-1'], ['User-Name', token.username], ['Calling-Station-Id', 'AA:BB:CC:10:00:02'], ['Class', className]]);
    const results = await fixture.app.services.enforcer.applyPolicy('teacher', undefined, 'test');
    expect(results).toEqual([{ session: '127.0.0.1|Sess-Timur-1', action: 'coa', outcome: 'ack' }]);
    const line = await waitFor(async () => peerLines().find((row) => row.startsWith('CoA-Request')), 5000, 'the CoA at the peer');
    expect(line).toBe(`CoA-Request user=${hex(token.username)} sess=${hex('Sess-Timur-1')} mac=${hex('AA:BB:CC:10:00:02')}`);
  });
});
