// Reads a V8 .cpuprofile (node --cpu-prof, MEKTEP_PROFILE of bench/radius.ts) and prints where
// the busy time went: self time summed by function and by file, start-up left out (samples
// count from the first one in `--from`, by default dgram's send: the load's first reply).
// "(program)" is native time outside JavaScript (the event loop's receive system calls among
// it): busy, not idle. Usage: tsx bench/lib/cpuprofile.ts <file.cpuprofile> [--from doSend] [--top 40]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { from: { type: 'string', default: 'doSend' }, top: { type: 'string', default: '40' } } });
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));


const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let started = false;
let busy = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  started ||= functionName === values.from;
  if (!started) return;
  if (functionName === '(idle)') {
    idle += delta;
    return;
  }
  busy += delta;
  const file = url.replace(/^.*\/(node_modules|dist|src)\//, '$1/') || '(native)';
  const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
  byFile.set(file, (byFile.get(file) ?? 0) + delta);
});

function table(title: string, totals: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${((us / busy) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
}

console.log(`busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (from the first sample in ${values.from})`);
table('self time by function', byFunction);
table('self time by file', byFile);
