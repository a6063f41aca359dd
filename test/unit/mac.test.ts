import { describe, expect, it } from 'vitest';
import { parseMac } from '../../src/store/mac.js';
import { seededRandom } from '../helpers/random.js';

/** The regular-expression parse parseMac() replaced (the reference its answers must equal). */
function reference(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const compact = input.trim().toLowerCase().replace(/[-:.\s]/g, '');
  if (!/^[0-9a-f]{12}$/.test(compact)) return undefined;
  if (!/^([0-9a-f]{2}([-:]?)[0-9a-f]{2}(\2[0-9a-f]{2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})$/i.test(input.trim())) return undefined;
  return compact.match(/../g)!.join(':');
}

// Hex digits of both cases, every separator, white space the trim() set knows and not, and
// look-alikes outside ASCII (a fullwidth digit, the Kelvin sign and long s that upper-case to
// ASCII letters, a Cyrillic а).
const ALPHABET = ['0', '9', 'a', 'f', 'A', 'F', 'g', 'G', ':', '-', '.', ' ', '\t', '\n', '\u00a0', '\ufeff', '\u2028', '０', '\u212a', '\u017f', 'а', '_'];

function notations(next: () => number): string[] {
  const pairs = Array.from({ length: 6 }, () => Math.floor(next() * 256).toString(16).padStart(2, '0'));
  const upper = pairs.map((pair) => pair.toUpperCase());
  const mixed = pairs.map((pair, i) => (i % 2 ? pair.toUpperCase() : pair));
  const forms = [pairs, upper, mixed].flatMap((p) => [p.join(':'), p.join('-'), p.join(''), `${p[0]}${p[1]}.${p[2]}${p[3]}.${p[4]}${p[5]}`, p.join('.'), `${p.slice(0, 3).join(':')}-${p.slice(3).join(':')}`]);
  return forms.flatMap((form) => [form, ` ${form}`, `${form}\n`, `\u00a0${form}\ufeff`, `\t${form} `]);
}

function mutated(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const char = ALPHABET[Math.floor(next() * ALPHABET.length)]!;
  const kind = Math.floor(next() * 3);
  if (kind === 0) return text.slice(0, at) + char + text.slice(at);
  if (kind === 1) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + char + text.slice(at + 1);
}

describe('parseMac', () => {
  it.each([
    ['aa:bb:cc:dd:ee:0f', 'aa:bb:cc:dd:ee:0f'], ['AA-BB-CC-DD-EE-0F', 'aa:bb:cc:dd:ee:0f'], ['aabb.ccdd.ee0f', 'aa:bb:cc:dd:ee:0f'],
    ['AABBCCDDEE0F', 'aa:bb:cc:dd:ee:0f'], ['  aa:bb:cc:dd:ee:0f\n', 'aa:bb:cc:dd:ee:0f'],
  ])('reads %j as %j', (input, expected) => {
    expect(parseMac(input)).toBe(expected);
  });

  it.each(['aa:bb:cc:dd:ee', 'aa:bb-cc:dd:ee:0f', 'aa.bb.cc.dd.ee.0f', 'aab.bccd.dee0f', 'aa:bb:cc:dd:ee:0ff', 'aa:bb:cc:dd:ee:\u212a0', '', '   ', undefined])('refuses %j', (input) => {
    expect(parseMac(input)).toBeUndefined();
  });

  it('answers as the regular-expression parse it replaced, for every notation and 200,000 near-misses', () => {
    const next = seededRandom(12);
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      for (const text of notations(next)) {
        let input = text;
        for (let step = 0; step < 6; step++) {
          expect(parseMac(input), JSON.stringify(input)).toBe(reference(input));
          checked++;
          input = mutated(input, next);
        }
      }
    }
    for (let i = 0; i < 20_000; i++) {
      const input = Array.from({ length: Math.floor(next() * 19) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
      expect(parseMac(input), JSON.stringify(input)).toBe(reference(input));
      checked++;
    }
    expect(checked).toBeGreaterThan(200_000);
  });
});
