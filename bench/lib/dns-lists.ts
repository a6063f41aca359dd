// Category lists in memory: the hash set Mektep uses against a Set<string> and a packed sorted
// buffer (the other compact candidate), on the same generated names. Heap and array-buffer
// growth measured after a forced collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createDomainSetBuilder } from '../../src/store/content-domains.js';
import { parseDomainList } from '../../src/store/content-import.js';
import { createListLookup } from '../../src/store/content-lists.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function held(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const WORDS = ['casino', 'video', 'free', 'shop', 'news', 'game', 'bet', 'star', 'cam', 'tube', 'blog', 'mail', 'cdn', 'best', 'top', 'club', 'live', 'porn', 'sex', 'hot'];
const TLDS = ['com', 'net', 'org', 'ru', 'info', 'xyz', 'de', 'fr', 'co.uk', 'kz', 'biz', 'online'];

/** Names shaped like a public list's (UT1 adult averages about 20 characters). */
export function generateNames(count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = `${WORDS[i % WORDS.length]}${WORDS[(i >> 3) % WORDS.length]}`;
    const sub = i % 5 === 0 ? `www.` : i % 7 === 0 ? `m${i % 97}.` : '';
    names.push(`${sub}${word}${i.toString(36)}.${TLDS[i % TLDS.length]}`);
  }
  return names;
}

export interface StructureRow {
  structure: string;
  bytesPerMillion: number;
  buildMs: number;
  lookupNs: number;
}

/** CPU milliseconds (user + system): meaningful on a shared machine where wall time is not. */
function time<T>(run: () => T): [T, number] {
  const started = process.cpuUsage();
  const value = run();
  const used = process.cpuUsage(started);
  return [value, (used.user + used.system) / 1000];
}

/** Each probe: a listed name's subdomain (hit) or an unlisted name of the same shape (miss). */
function probes(names: string[]): string[] {
  return Array.from({ length: 200_000 }, (_, i) => (i % 2 === 0 ? `img.${names[(i * 7919) % names.length]}` : `img.other${i}.example.com`));
}

function perLookup(check: (name: string) => unknown, queries: string[]): number {
  for (const name of queries.slice(0, 20_000)) check(name);
  const [, ms] = time(() => {
    for (const name of queries) check(name);
  });
  return (ms * 1e6) / queries.length;
}

export function measureStructures(count: number): { rows: StructureRow[]; parseMs: number; text: string } {
  const text = generateNames(count).map((name) => `0.0.0.0 ${name}`).join('\n');
  const [{ names }, parseMs] = time(() => parseDomainList(text));
  const queries = probes(names);
  const perMillion = (bytes: number) => Math.round((bytes / names.length) * 1e6);
  const rows: StructureRow[] = [];

  // The naive structure, from the names as a file split into lines.
  let base = held();
  const [set, setMs] = time(() => new Set(names.join('\n').split('\n')));
  const setBytes = held() - base;
  const covering = (name: string) => {
    for (let start = 0; start !== -1; start = name.indexOf('.', start) + 1 || -1) if (set.has(start === 0 ? name : name.slice(start))) return true;
    return false;
  };
  rows.push({ structure: 'Set<string>', bytesPerMillion: perMillion(setBytes), buildMs: setMs, lookupNs: perLookup(covering, queries) });
  set.clear();

  // Packed: reversed names sorted in one buffer, offsets in a Uint32Array (binary search).
  base = held();
  const [packed, packedMs] = time(() => {
    const reversed = names.map((name) => name.split('.').reverse().join('.')).sort();
    const buffer = Buffer.from(reversed.join('\n'));
    const offsets = new Uint32Array(reversed.length);
    let at = 0;
    reversed.forEach((name, i) => {
      offsets[i] = at;
      at += name.length + 1;
    });
    return { buffer, offsets };
  });
  const packedBytes = held() - base;
  rows.push({ structure: 'sorted reversed names, one Buffer + offsets', bytesPerMillion: perMillion(packedBytes), buildMs: packedMs, lookupNs: Number.NaN });
  packed.buffer.fill(0);

  base = held();
  const [hashed, hashMs] = time(() => {
    const builder = createDomainSetBuilder();
    for (let start = 0; start < names.length; start += 50_000) builder.add(names.slice(start, start + 50_000).join('\n'));
    return builder.finish();
  });
  const hashBytes = held() - base;
  // As the resolver asks: suffix hashes computed once into a reused buffer.
  const lookup = createListLookup(new Map([['bench', hashed]]));
  rows.push({ structure: 'Mektep: sorted 64-bit hashes (Uint32Array pairs)', bytesPerMillion: perMillion(hashBytes), buildMs: hashMs, lookupNs: perLookup((name) => lookup(name, ['bench']), queries) });
  return { rows, parseMs, text };
}
