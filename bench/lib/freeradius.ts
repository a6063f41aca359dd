// FreeRADIUS (Debian `freeradius`) as the reference: a private copy of /etc/freeradius/3.0 with
// one virtual server on loopback ports, devices in its in-memory `files` module, accounting to
// its `detail` files. Nothing of the system installation is changed or started, and it runs as
// the user who runs the benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FreeRadius {
  process: ChildProcess;
  stop(): Promise<void>;
}

export function writeConfig(dir: string, options: { authPort: number; acctPort: number; secret: string; macs: string[] }): string {
  const raddb = join(dir, 'raddb');
  cpSync('/etc/freeradius/3.0', raddb, { recursive: true, dereference: false });
  for (const name of readdirSync(join(raddb, 'sites-enabled'))) rmSync(join(raddb, 'sites-enabled', name));
  // Only the modules this server uses (eap and others want sections it does not have).
  for (const name of readdirSync(join(raddb, 'mods-enabled'))) {
    if (!['files', 'pap', 'detail', 'always', 'expr'].includes(name)) rmSync(join(raddb, 'mods-enabled', name));
  }
  writeFileSync(join(raddb, 'sites-enabled', 'bench'), `server bench {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${options.authPort}
    recv_buff = 4194304
  }
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = ${options.acctPort}
    recv_buff = 4194304
  }
  authorize {
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
  preacct {
    acct_unique
  }
  accounting {
    detail
  }
}
`);
  writeFileSync(join(raddb, 'clients.conf'), `client bench {\n  ipaddr = 127.0.0.1\n  secret = ${options.secret}\n  require_message_authenticator = yes\n}\n`);
  // MAC authentication (Service-Type = Call-Check): known MACs are accepted with the same policy
  // attributes Mektep sends.
  const users = options.macs.map((mac) => `${mac}  Auth-Type := Accept\n\tSession-Timeout = 28800,\n\tAcct-Interim-Interval = 300,\n\tMikrotik-Rate-Limit = "1000k/5000k"\n`).join('');
  writeFileSync(join(raddb, 'mods-config', 'files', 'authorize'), users);
  const conf = readFileSync(join(raddb, 'radiusd.conf'), 'utf8')
    .replace(/^logdir = .*$/m, `logdir = ${join(dir, 'log')}`)
    .replace(/^run_dir = .*$/m, `run_dir = ${join(dir, 'run')}`)
    // Stay the user that started it: the private copy is readable by that user only.
    .replace(/^\s*(user|group) = freerad$/gm, '');
  writeFileSync(join(raddb, 'radiusd.conf'), conf);
  for (const sub of ['log', 'log/radacct', 'run']) mkdirSync(join(dir, sub), { recursive: true });
  return raddb;
}

export async function startFreeRadius(raddb: string, ready: () => Promise<boolean>): Promise<FreeRadius> {
  const child = spawn('freeradius', ['-f', '-d', raddb, '-l', 'stdout'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!(await ready())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`freeradius did not start:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
