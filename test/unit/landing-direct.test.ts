// The pieces of the landing page's direct answer that decide alone: which queries it reads
// itself (only those every parser reads the same way), and the memo that keeps per-value
// answers without growing past its bound.
import { describe, expect, it } from 'vitest';
import { plainQuery } from '../../src/portal/landing-direct.js';
import { memo } from '../../src/portal/memo.js';

describe('the query the direct answer reads itself', () => {
  it('reads name=value pairs, percent escapes decoded', () => {
    expect(plainQuery('res=notyet&uamip=10.0.0.1&userurl=http%3A%2F%2Fexample.org%2F&empty=')).toEqual({ res: 'notyet', uamip: '10.0.0.1', userurl: 'http://example.org/', empty: '' });
  });

  it.each([
    ['a duplicated name (an array to the route)', 'mac=1&mac=2'],
    ['a "+" (a space to some parsers)', 'userurl=a+b'],
    ['a broken escape', 'userurl=%zz'],
    ['a name without "="', 'flag&mac=1'],
    ['an empty name', '=1'],
    ['an empty pair', 'a=1&&b=2'],
    ['a trailing "&"', 'a=1&'],
    ['nothing at all', ''],
    ['__proto__', '__proto__=1'],
    ['a value past the schema\'s 2,048', `x=${'a'.repeat(2049)}`],
  ])('leaves %s to the route', (_name, search) => {
    expect(plainQuery(search)).toBeUndefined();
  });

  it('takes a value of exactly 2,048 characters', () => {
    expect(plainQuery(`x=${'a'.repeat(2048)}`)?.x).toHaveLength(2048);
  });
});

describe('the memo', () => {
  it('asks once per value, undefined answers included, and drops all when full', () => {
    const asked: string[] = [];
    const remembered = memo((key) => {
      asked.push(key);
      return key === 'none' ? undefined : key.length;
    }, 3);
    expect([remembered('ab'), remembered('ab'), remembered('none'), remembered('none')]).toEqual([2, 2, undefined, undefined]);
    expect(asked).toEqual(['ab', 'none']);
    remembered('c');
    remembered('d');
    remembered('ab');
    expect(asked).toEqual(['ab', 'none', 'c', 'd', 'ab']);
  });
});
