// eapol_test (wpa_supplicant's 802.1X test client: the supplicant and the access point in one)
// against the real app: Mektep speaks no EAP yet, so every EAP conversation must end in
// Access-Reject with an EAP-Failure (RFC 3579 §2.6.3), never in an Access-Accept that leaves
// the supplicant unauthorised and a WPA2-Enterprise AP without keys.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppFixture, type AppFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/process.js';

const SECRET = 'eapol-secret-3';
const DEVICE = '02:00:00:00:00:01';
const dir = mkdtempSync(join(tmpdir(), 'mk-eapol-'));
let fixture: AppFixture;

interface EapolResult {
  code: number;
  output: string;
}

/** One EAP-MD5 authentication as `identity`, from the supplicant MAC `mac`. */
function eapol(identity: string, mac = DEVICE): Promise<EapolResult> {
  const conf = join(dir, `${identity.replace(/\W/g, '-')}.conf`);
  writeFileSync(conf, `network={\n  key_mgmt=WPA-EAP\n  eap=MD5\n  identity="${identity}"\n  password="some-password"\n}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('eapol_test', ['-c', conf, '-a', '127.0.0.1', '-p', String(fixture.auth), '-s', SECRET, '-M', mac, '-t', '5', '-n'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

beforeAll(async () => {
  fixture = await startAppFixture();
  const { store, app } = fixture;
  await store.nas.add('127.0.0.1', { secret: SECRET, vendor: 'generic', rejectDelayMs: 0 }, 'test');
  await store.users.add({ username: 'aigerim', password: 'correct-horse', role: 'student' }, 'test');
  await store.devices.add({ mac: DEVICE, role: 'student' }, 'test');
  await waitFor(async () => app.nasDirectory.find('127.0.0.1'), 2000, 'the NAS');
});
afterAll(async () => {
  await fixture?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('EAP over RADIUS (eapol_test)', () => {
  it.each([
    ['a registered MAC as EAP identity', DEVICE],
    ['a username as EAP identity', 'aigerim'],
  ])('refuses %s with Access-Reject carrying EAP-Failure', async (_case, identity) => {
    const result = await eapol(identity);
    expect(result.output).not.toMatch(/code=2 \(Access-Accept\)/);
    expect(result.output).toMatch(/Received RADIUS message\nRADIUS message: code=3 \(Access-Reject\)/);
    // The EAP-Failure inside the Access-Reject, with the Identifier of the supplicant's response.
    const sent = /TX EAP -> RADIUS - hexdump\(len=\d+\): 02 ([0-9a-f]{2})/.exec(result.output);
    expect(result.output).toMatch(new RegExp(`decapsulated EAP packet \\(code=4 id=${parseInt(sent![1]!, 16)} len=4\\) from RADIUS server: EAP Failure`));
    expect(result.output).toMatch(/CTRL-EVENT-EAP-FAILURE/);
    expect(result.output).not.toMatch(/^SUCCESS$/m);
    expect(result.code).not.toBe(0);
  });
});
