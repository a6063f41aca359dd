// Real DNS peers for the resolver tests: Debian's dig (bind9-dnsutils) as the client, asking
// from a chosen loopback address, and dnsmasq (dnsmasq-base) as the upstream with a test zone.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';

export interface DigResult {
  status: string;
  flags: string[];
  answers: { name: string; ttl: number; type: string; data: string }[];
  /** dig fell back to TCP after a truncated UDP answer. */
  retriedOverTcp: boolean;
  output: string;
  ms: number;
}

export function dig(port: number, from: string, name: string, type = 'A', extra: string[] = []): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('dig', ['-b', from, '-p', String(port), '@127.0.0.1', name, type, '+time=5', '+tries=1', '+nocookie', ...extra]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const header = /status: (\w+)/.exec(output);
      const flags = /;; flags: ([a-z ]+);/.exec(output)?.[1]?.trim().split(' ') ?? [];
      const section = /;; ANSWER SECTION:\n([\s\S]*?)(\n\n|$)/.exec(output)?.[1] ?? '';
      const answers = section.split('\n').filter(Boolean).map((line) => {
        const [recordName = '', ttl = '0', , recordType = '', ...data] = line.split(/\s+/);
        return { name: recordName, ttl: Number(ttl), type: recordType, data: data.join(' ') };
      });
      resolve({ status: header?.[1] ?? 'NO-ANSWER', flags, answers, retriedOverTcp: output.includes('retrying in TCP mode'), output, ms: Date.now() - started });
    });
  });
}

export interface Dnsmasq {
  port: number;
  stop(): Promise<void>;
}

/** dnsmasq answering only from its command line (no resolv.conf, no hosts file, no forwarding). */
export async function startDnsmasq(records: string[]): Promise<Dnsmasq> {
  const port = await freePort();
  const child: ChildProcess = spawn('dnsmasq', [
    '--keep-in-foreground', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--user=root', '--pid-file',
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, '--cache-size=0', ...records,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  // Ready when it answers a name it serves.
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${errors}`);
    const probe = await dig(port, '127.0.0.1', 'ready.upstream.test', 'TXT');
    if (probe.status === 'NOERROR') break;
    if (Date.now() > deadline) throw new Error(`dnsmasq did not start: ${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
