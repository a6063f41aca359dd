// RFC 5176 signing against hostapd's Dynamic Authorization Server (a wired 802.1X
// authenticator on a veth pair): a correctly signed Disconnect-Request for an unknown session is
// answered Disconnect-NAK / Session-Context-Not-Found; a wrongly signed one gets no answer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoaClient } from '../../src/radius-wire/coa-client.js';
import { freePort, waitFor } from '../helpers/process.js';

const SECRET = 'das-secret-5';
const dir = mkdtempSync(join(tmpdir(), 'mk-das-'));
const link = `mk${process.pid % 100_000}`;
let hostapd: ChildProcess | undefined;
let dasPort: number;
const client = createCoaClient({ timeoutMs: 300, attempts: 2, bindAddress: '127.0.0.1' });

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
}

beforeAll(async () => {
  dasPort = await freePort();
  ip('link', 'add', `${link}a`, 'type', 'veth', 'peer', 'name', `${link}b`);
  ip('link', 'set', `${link}a`, 'up');
  ip('link', 'set', `${link}b`, 'up');
  const conf = join(dir, 'hostapd.conf');
  writeFileSync(conf, [
    `interface=${link}a`, 'driver=wired', 'ieee8021x=1', 'own_ip_addr=127.0.0.1',
    'auth_server_addr=127.0.0.1', `auth_server_port=${await freePort()}`, `auth_server_shared_secret=${SECRET}`,
    `radius_das_port=${dasPort}`, `radius_das_client=127.0.0.1 ${SECRET}`,
    'radius_das_require_event_timestamp=1', 'radius_das_require_message_authenticator=1', '',
  ].join('\n'));
  hostapd = spawn('hostapd', [conf], { stdio: 'ignore' });
  await waitFor(async () => {
    const answer = await client.disconnect({ ip: '127.0.0.1', port: dasPort, secret: SECRET }, [['Acct-Session-Id', 'probe']]);
    return answer.outcome === 'timeout' ? undefined : true;
  }, 15_000, 'hostapd DAS');
});
afterAll(() => {
  client.close();
  hostapd?.kill('SIGTERM');
  spawnSync('ip', ['link', 'del', `${link}a`]);
  rmSync(dir, { recursive: true, force: true });
});

describe('Disconnect-Request to hostapd', () => {
  it('is accepted as authentic: NAK with Session-Context-Not-Found for an unknown session', async () => {
    const answer = await client.disconnect({ ip: '127.0.0.1', port: dasPort, secret: SECRET }, [['Acct-Session-Id', 'no-such-session'], ['User-Name', 'nobody']]);
    expect(answer).toEqual({ ok: false, outcome: 'nak', errorCause: 503 });
  });

  it('gets no answer when signed with the wrong secret', async () => {
    const answer = await client.disconnect({ ip: '127.0.0.1', port: dasPort, secret: 'wrong-secret' }, [['Acct-Session-Id', 'no-such-session']]);
    expect(answer).toEqual({ ok: false, outcome: 'timeout' });
  });
});
