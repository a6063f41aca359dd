// Reading a category list in the formats the public lists come in: hosts files
// ("0.0.0.0 name", "127.0.0.1 name"), plain names one a line (UT1), "*.name" and ".name"
// wildcards, Adblock "||name^" rules, "#" and "!" comments. Every line is counted: kept,
// a duplicate, or refused with the reason (the first few are shown).
import { isIP } from 'node:net';
import { domainOfRule } from '../policy/content.js';

export interface RefusedLine {
  line: number;
  text: string;
  reason: string;
}

export interface ImportReport {
  lines: number;
  kept: number;
  duplicates: number;
  refused: number;
  /** The first refused lines, with why. */
  examples: RefusedLine[];
}

const EXAMPLES = 10;
const HOSTS_ADDRESS = /^(0\.0\.0\.0|127\.\d+\.\d+\.\d+|::1?|0:0:0:0:0:0:0:[01])\s+/;
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', 'ip6-localhost', 'ip6-loopback', '0.0.0.0']);
const ADBLOCK = /^\|\|([^/^$]+)\^$/;

function refusal(entry: string): string {
  if (LOCAL_NAMES.has(entry.toLowerCase())) return 'a local name, not one to block';
  if (/^[a-z]+:\/\//i.test(entry) || entry.includes('/')) return 'a URL, not a domain name';
  if (isIP(entry.replace(/^\[|\]$/g, '')) !== 0) return 'an IP address, not a domain name';
  if (/^[^.]+\.?$/.test(entry) && !entry.startsWith('*')) return 'a top-level name alone would block a whole TLD';
  return 'not a valid domain name';
}

/** The entries of one line (a hosts line may name several), without comments. */
function entriesOf(line: string): string[] {
  const text = (line.includes('#') ? line.replace(/\s#.*$/, '') : line).trim();
  if (text === '' || text.startsWith('#') || text.startsWith('!')) return [];
  const hosts = HOSTS_ADDRESS.exec(text);
  if (hosts) return text.slice(hosts[0].length).split(/\s+/);
  const adblock = ADBLOCK.exec(text);
  return [adblock ? adblock[1]! : text];
}

/**
 * Parses a list; `known` (names already in the category) makes repeats count as duplicates.
 * Returns the new names in list form, in file order.
 */
export function parseDomainList(text: string, known: { has(name: string): boolean } = new Set<string>()): { names: string[]; report: ImportReport } {
  const seen = new Set<string>();
  const names: string[] = [];
  const report: ImportReport = { lines: 0, kept: 0, duplicates: 0, refused: 0, examples: [] };
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    report.lines++;
    for (const entry of entriesOf(line)) {
      const domain = domainOfRule(entry);
      if (domain === undefined || LOCAL_NAMES.has(entry.toLowerCase())) {
        report.refused++;
        if (report.examples.length < EXAMPLES) report.examples.push({ line: report.lines, text: line.slice(0, 200), reason: refusal(entry) });
      } else if (seen.has(domain) || known.has(domain)) {
        report.duplicates++;
      } else {
        seen.add(domain);
        names.push(domain);
        report.kept++;
      }
    }
    lineStart = lineEnd + 1;
  }
  return { names, report };
}
