// The scale run's tables, in the shape of the other benches' (Markdown, ready for docs/benchmarks.md).
import { cpus, loadavg, totalmem } from 'node:os';
import { percentile, type LoadResult } from './load.js';
import type { Footprint } from './scale-mektep.js';
import type { KeyFamily } from './scale-state.js';
import type { Interval } from './scale-traffic.js';

export const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
export const n = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const rate = (result: LoadResult) => n(result.answered / result.seconds);

export interface Checkpoint {
  devices: number;
  importSeconds: number;
  redisUsed: number;
  audit: number;
  /** The device directory built in the bench's process: load time and V8 heap kept. */
  directory: { loadMs: number; heapBytes: number };
  /** Why Mektep did not start, per attempt (defaults, then a longer Redis command timeout). */
  failures: string[];
  readyMs?: number;
  footprint?: Footprint;
}

export function machine(): string {
  return `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${mb(totalmem() / 1024)} GB RAM · Node ${process.version} · load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`;
}

/** Start-up and memory at each number of registered devices; `base`: Redis before any device. */
export function printCheckpoints(checkpoints: Checkpoint[], base: { used: number; audit: number }): void {
  console.log('\n| registered devices | import s | directory load ms (bench) | directory heap MB (bench) | Mektep ready ms | Mektep RSS MB | Mektep V8 heap MB | Redis RSS MB | Redis used_memory MB | of which audit MB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of checkpoints) {
    const f = c.footprint;
    console.log(`| ${n(c.devices)} | ${c.importSeconds.toFixed(1)} | ${n(c.directory.loadMs)} | ${mb(c.directory.heapBytes)} | ${c.readyMs === undefined ? 'did not start' : n(c.readyMs)} | ${f ? mb(f.rss) : '–'} | ${f ? mb(f.heapUsed) : '–'} | ${f ? mb(f.redisRss) : '–'} | ${mb(c.redisUsed)} | ${mb(c.audit)} |`);
  }
  for (const c of checkpoints) for (const failure of c.failures) console.log(`- ${n(c.devices)} devices, Mektep not started with ${failure}`);
  const first = checkpoints.find((c) => c.footprint);
  const last = checkpoints.at(-1)!;
  if (last.devices === 0) return;
  const per = (bytes: number) => n(bytes / last.devices);
  const mektep = first?.footprint && last.footprint ? `Mektep RSS ${per(last.footprint.rss - first.footprint.rss)} B, V8 heap ${per(last.footprint.heapUsed - first.footprint.heapUsed)} B; ` : '';
  console.log(`\nper device: directory ${per(last.directory.heapBytes)} B of V8 heap (bench); ${mektep}Redis used_memory ${per(last.redisUsed - base.used)} B (${per(last.redisUsed - base.used - (last.audit - base.audit))} B without the audit stream's growth)`);
}

export function printSessions(sessions: number, bytes: number, families: KeyFamily[], devices: number, setUp: { auth: LoadResult; start: LoadResult }, hash?: { encoding: string; bytes: number; listpackBytes: number; longest: string }): void {
  console.log(`per live session: Redis used_memory ${n(bytes / Math.max(1, sessions))} B (target ≤ 1,024 B)`);
  if (hash) console.log(`a session's hash: ${n(hash.bytes)} B as stored (${hash.encoding}; its longest value is "${hash.longest}"), ${n(hash.listpackBytes)} B with the same fields as a listpack`);
  console.log(`set-up: ${n(setUp.auth.answered)} MAC auth at ${rate(setUp.auth)}/s, ${n(setUp.start.answered)} Accounting-Start at ${rate(setUp.start)}/s; ${setUp.auth.timedOut + setUp.start.timedOut} lost`);
  console.log('\n| key family | keys | bytes (MEMORY USAGE, sampled) | per device | per live session |');
  console.log('|---|---:|---:|---:|---:|');
  for (const family of families) console.log(`| ${family.family} | ${n(family.keys)} | ${n(family.bytes)} | ${n(family.bytes / devices)} | ${n(family.bytes / Math.max(1, sessions))} |`);
}

export function printPeak(run: { auth: LoadResult; acct: LoadResult; kinds: Record<string, number>; intervals: Interval[] }, intervalSeconds: number): void {
  console.log('\n| load | rate/s | sent | answered | lost | other than Accept / Response | p50 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, result, expected] of [['MAC auth', run.auth, 2], [`accounting (${n(run.kinds['Interim-Update']!)} Interim, ${n(run.kinds.Start!)} Start, ${n(run.kinds.Stop!)} Stop)`, run.acct, 5]] as const) {
    const other = Object.entries(result.byCode).filter(([code]) => Number(code) !== expected).reduce((sum, [, count]) => sum + count, 0);
    console.log(`| ${name} | ${rate(result)} | ${n(result.sent)} | ${n(result.answered)} | ${result.timedOut} | ${other} | ${percentile(result.latenciesMs, 50).toFixed(2)} | ${percentile(result.latenciesMs, 99).toFixed(2)} | ${(result.latenciesMs.at(-1) ?? NaN).toFixed(1)} |`);
  }
  console.log(`\n| sent in second | MAC auth p50 ms | p99 ms | accounting p50 ms | p99 ms |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const [index, interval] of run.intervals.entries()) {
    const [auth, acct] = [interval?.auth.sort((a, b) => a - b) ?? [], interval?.acct.sort((a, b) => a - b) ?? []];
    console.log(`| ${index * intervalSeconds}–${(index + 1) * intervalSeconds} | ${percentile(auth, 50).toFixed(2)} | ${percentile(auth, 99).toFixed(2)} | ${percentile(acct, 50).toFixed(2)} | ${percentile(acct, 99).toFixed(2)} |`);
  }
}
