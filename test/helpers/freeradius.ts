// FreeRADIUS (Debian `freeradius`) as a real peer: a private copy of /etc/freeradius/3.0 with
// one virtual server on loopback ports. For the benchmark it authenticates devices from its
// in-memory `files` module and writes accounting to `detail` files; for the CoA tests it also
// listens for CoA and Disconnect requests, ACKs them and writes each one, with the attributes
// the tests look at, as a line of a log file. Nothing of the system installation is changed or
// started, and it runs as the user who runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { radclient } from './radclient.js';

export interface FreeRadius {
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface FreeRadiusConfig {
  authPort: number;
  acctPort: number;
  secret: string;
  macs: string[];
  /** Listen for CoA / Disconnect on this port and log each request to `log`. */
  coa?: { port: number; log: string };
}

function coaSite(coa: { port: number; log: string }): string {
  return `listen {
  type = coa
  ipaddr = 127.0.0.1
  port = ${coa.port}
  virtual_server = coa-test
}
server coa-test {
  recv-coa {
    linelog_coa
    ok
  }
  send-coa {
    ok
  }
  recv-disconnect {
    linelog_coa
    ok
  }
  send-disconnect {
    ok
  }
}
`;
}

function coaLog(coa: { log: string }): string {
  return `linelog linelog_coa {
  filename = ${coa.log}
  permissions = 0644
  format = "%{Packet-Type} user=%{User-Name} sess=%{Acct-Session-Id} rate=%{Mikrotik-Rate-Limit} st=%{Session-Timeout} mac=%{Calling-Station-Id}"
}
`;
}

export function writeConfig(dir: string, options: FreeRadiusConfig): string {
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
  if (options.coa) {
    writeFileSync(join(raddb, 'sites-enabled', 'coa-test'), coaSite(options.coa));
    writeFileSync(join(raddb, 'mods-enabled', 'linelog_coa'), coaLog(options.coa));
  }
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

/** FreeRADIUS as an AP's CoA / Disconnect listener for `secret`, logging what arrives to `log`
 * (config under `dir`/freeradius); ready once its auth port answers anything. */
export async function startCoaPeer(dir: string, secret: string, log: string): Promise<{ peer: FreeRadius; coaPort: number }> {
  const [coaPort, authPort, acctPort] = [await freePort(), await freePort(), await freePort()];
  const raddb = writeConfig(join(dir, 'freeradius'), { authPort, acctPort, secret, macs: [], coa: { port: coaPort, log } });
  const peer = await startFreeRadius(raddb, async () => (await radclient(authPort, 'auth', secret, 'User-Name=probe,User-Password=x,Message-Authenticator=0x00', 2)).reply !== undefined);
  return { peer, coaPort };
}
