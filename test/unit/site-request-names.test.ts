// Which names a site request may open (services/site-requests.ts grantableName): a host name
// under a registrable domain of the Public Suffix List, exactly as asked; never a suffix, ICANN
// or private, never a wildcard that would widen it.
import { describe, expect, it } from 'vitest';
import { grantableName } from '../../src/services/site-requests.js';

describe('grantableName', () => {
  it.each([
    ['www.adult.com.kz', 'www.adult.com.kz'],
    ['Games.Example.', 'games.example'],
    ['wikipedia.org', 'wikipedia.org'],
    ['foo.github.io', 'foo.github.io'],
    ['bilim.kz', 'bilim.kz'],
  ])('takes %s as %s', (input, expected) => {
    expect(grantableName(input)).toBe(expected);
  });

  it.each(['com.kz', 'kz', 'co.uk', 'github.io', 'blogspot.com', '*.com.kz', '*.games.example', '.games.example', '10.0.0.1', 'localhost', 'not a name', ''])('refuses %j', (input) => {
    expect(grantableName(input)).toBeUndefined();
  });
});
