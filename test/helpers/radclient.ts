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
