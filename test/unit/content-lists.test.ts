import { describe, expect, it } from 'vitest';
import { buildDomainSet, createDomainSetBuilder } from '../../src/store/content-domains.js';
import { parseDomainList } from '../../src/store/content-import.js';

describe('parseDomainList', () => {
  it('reads hosts files, plain names, wildcards, comments and IDN, and says why it refuses a line', () => {
    const text = [
      '# a comment', '! an Adblock comment', '', '0.0.0.0 ads.example', '127.0.0.1   tracker.example  # inline', '::1 localhost',
      'plain.example', '*.wild.example', '.dot.example', '||adblock.example^', 'Mixed.CASE.example.', 'пример.рф',
      'http://a.example/path', '10.1.2.3', 'nodots', 'bad_label-.example!', 'plain.example',
    ].join('\n');
    const { names, report } = parseDomainList(text);
    expect(names).toEqual(['ads.example', 'tracker.example', 'plain.example', 'wild.example', 'dot.example', 'adblock.example', 'mixed.case.example', 'xn--e1afmkfd.xn--p1ai']);
    expect(report).toMatchObject({ lines: 17, kept: 8, duplicates: 1, refused: 5 });
    expect(report.examples.map((example) => [example.line, example.reason])).toEqual([
      [6, 'a local name, not one to block'],
      [13, 'a URL, not a domain name'],
      [14, 'an IP address, not a domain name'],
      [15, 'a top-level name alone would block a whole TLD'],
      [16, 'not a valid domain name'],
    ]);
  });
});

describe('domain set', () => {
  it('finds a listed name and its subdomains, not its parents or look-alikes', () => {
    const set = buildDomainSet(['adult.example', 'deep.sub.example']);
    expect(set.covering('adult.example')).toBe('adult.example');
    expect(set.covering('a.b.adult.example')).toBe('adult.example');
    expect(set.covering('xadult.example')).toBeUndefined();
    expect(set.covering('sub.example')).toBeUndefined();
    expect(set.covering('x.deep.sub.example')).toBe('deep.sub.example');
    expect(set.size).toBe(2);
  });

  it('builds from newline-separated chunks without duplicates, 8 bytes a name', () => {
    const builder = createDomainSetBuilder();
    builder.add('a.example\nb.example\n');
    builder.add('b.example\nc.example');
    const set = builder.finish();
    expect(set.size).toBe(3);
    expect(set.bytes).toBe(24);
    expect(['a.example', 'b.example', 'c.example', 'd.example'].map((name) => set.covering(name) !== undefined)).toEqual([true, true, true, false]);
  });

  it('holds 200 000 names with no false hit among 200 000 others', () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `site-${i}.example`);
    const set = buildDomainSet(names);
    expect(set.size).toBe(200_000);
    let hits = 0;
    for (let i = 0; i < 200_000; i++) if (set.covering(`other-${i}.example`)) hits++;
    expect(hits).toBe(0);
    expect(names.every((name) => set.covering(name) === name)).toBe(true);
  });
});
