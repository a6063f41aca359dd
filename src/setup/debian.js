// Installs missing Debian packages through apt-get when running as root; otherwise says in one
// line what to install. Services that a package would start (redis-server on 6379, freeradius on
// 1812) are denied during the install through Debian's policy-rc.d, so nothing is left running
// on standard ports.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';

const POLICY_RC = '/usr/sbin/policy-rc.d';

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function aptListsPresent() {
  try {
    return readdirSync('/var/lib/apt/lists').some((name) => name.endsWith('_Packages'));
  } catch {
    return false;
  }
}

function apt(args) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
}

function installWithServicesDenied(pkgs) {
  const ownPolicy = !existsSync(POLICY_RC);
  // exit 101 = "action forbidden" for invoke-rc.d (Debian policy-rc.d interface).
  if (ownPolicy) writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const args = ['install', '-y', '-q', '--no-install-recommends', ...pkgs];
    if (!aptListsPresent() && !apt(['update', '-q'])) return false;
    if (apt(args)) return true;
    // A stale package list gives 404s: refresh once and retry.
    return apt(['update', '-q']) && apt(args);
  } finally {
    if (ownPolicy) unlinkSync(POLICY_RC);
  }
}

/**
 * @param {{ command: string, pkg: string }[]} needs
 * @returns {boolean} true when every command is on PATH afterwards
 */
export function ensureDebianPackages(needs) {
  const missing = needs.filter((need) => !onPath(need.command));
  if (missing.length === 0) return true;
  const pkgs = [...new Set(missing.map((need) => need.pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    const commands = missing.map((need) => need.command).join(', ');
    console.error(`mektep: ${commands} not found: install the Debian package(s) ${pkgs.join(' ')} (sudo apt-get install ${pkgs.join(' ')}) and try again.`);
    return false;
  }
  console.error(`mektep: installing ${pkgs.join(' ')} with apt-get`);
  if (!installWithServicesDenied(pkgs)) {
    console.error(`mektep: apt-get could not install ${pkgs.join(' ')}`);
    return false;
  }
  return missing.every((need) => onPath(need.command));
}
