// Debian's radclient (freeradius-utils) as the access point: a real RADIUS peer.
import { spawn } from 'node:child_process';

export interface RadclientResult {
  code: number;
  /** "Access-Accept", "Accounting-Response", … or undefined when no reply came. */
  reply?: string;
  /** Reply attributes as radclient prints them: name → values. */
  attributes: Record<string, string[]>;
  output: string;
}

export function radclient(port: number, type: 'auth' | 'acct' | 'status', secret: string, attributes: string, timeoutSeconds = 2): Promise<RadclientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', String(timeoutSeconds), `127.0.0.1:${port}`, type, secret], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const received = /^Received (\S+) Id/m.exec(output);
      const parsed: Record<string, string[]> = {};
      if (received) {
        const after = output.slice(received.index).split('\n').slice(1);
        for (const line of after) {
          const match = /^\t(\S+) = (.*)$/.exec(line);
          if (!match) break;
          (parsed[match[1]!] ??= []).push(match[2]!.replace(/^"(.*)"$/, '$1'));
        }
      }
      resolve({ code: code ?? -1, ...(received ? { reply: received[1] } : {}), attributes: parsed, output });
    });
    child.stdin.end(`${attributes}\n`);
  });
}

export interface OnlineLogin {
  user: string;
  password: string;
  session: string;
  ip?: string;
  mac?: string;
}

/** A person online as an AP would make them: PAP Access-Accept, then an Accounting-Start with the
 * Accept's Class (and the address and MAC given). Throws unless both are answered as expected. */
export async function signInAndStart(ports: { auth: number; acct: number }, secret: string, login: OnlineLogin): Promise<void> {
  const station = login.mac ? `,Calling-Station-Id=${login.mac}` : '';
  const accept = await radclient(ports.auth, 'auth', secret, `User-Name=${login.user},User-Password=${login.password}${station},Message-Authenticator=0x00`);
  if (accept.reply !== 'Access-Accept') throw new Error(`${login.user}: ${accept.reply ?? 'no reply'} to the sign-in`);
  const address = login.ip ? `,Framed-IP-Address=${login.ip}` : '';
  const nas = login.mac ? ',NAS-IP-Address=127.0.0.1' : '';
  const start = `Acct-Status-Type=Start,Acct-Session-Id=${login.session},User-Name=${login.user}${station}${address}${nas},Class=${accept.attributes.Class![0]}`;
  const started = await radclient(ports.acct, 'acct', secret, start);
  if (started.reply !== 'Accounting-Response') throw new Error(`${login.user}: ${started.reply ?? 'no reply'} to the Accounting-Start`);
}
