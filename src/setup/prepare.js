// Runs before `npm start` and `npm test` on any machine, fresh or not: installs the npm packages
// and the Debian packages the mode needs, then builds. Plain JavaScript with no dependencies,
// because node_modules may not exist yet.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { ensureDebianPackages } from './debian.js';

const NEEDS = {
  start: process.env.REDIS_URL ? [] : [{ command: 'redis-server', pkg: 'redis-server' }],
  test: [
    { command: 'redis-server', pkg: 'redis-server' },
    // Redis failover (issue 13): three real sentinels promote a replica.
    { command: 'redis-sentinel', pkg: 'redis-sentinel' },
    { command: 'radclient', pkg: 'freeradius-utils' },
    // Real RFC 5176 peers for the CoA / Disconnect tests.
    { command: 'freeradius', pkg: 'freeradius' },
    { command: 'hostapd', pkg: 'hostapd' },
    // A real 802.1X supplicant: EAP requests must be refused with an EAP-Failure.
    { command: 'eapol_test', pkg: 'eapoltest' },
    { command: 'ip', pkg: 'iproute2' },
    // The portal in a real browser, and a self-signed certificate for the HTTPS test.
    { command: 'chromium', pkg: 'chromium' },
    { command: 'openssl', pkg: 'openssl' },
    // The content-filtering resolver: dig as the client, dnsmasq as the upstream.
    { command: 'dig', pkg: 'bind9-dnsutils' },
    { command: 'dnsmasq', pkg: 'dnsmasq-base' },
  ],
};

const mode = process.argv[2];
if (!(mode in NEEDS)) {
  console.error(`usage: node src/setup/prepare.js ${Object.keys(NEEDS).join('|')}`);
  process.exit(2);
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`mektep: \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

// npm writes node_modules/.package-lock.json on every install: older than the lock file
// (or missing) means the installed tree is stale.
if (mtime('node_modules/.package-lock.json') < Math.max(mtime('package-lock.json'), mtime('package.json'))) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

if (!ensureDebianPackages(NEEDS[mode])) process.exit(1);

run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'config/tsconfig.build.json']);
