// The MAC parses remembered on the RADIUS hot path (mac-auth.ts) answer as parseMac does, for MACs
// and for what is no MAC, and stay bounded.
import { describe, expect, it } from 'vitest';
import { rememberedMacs } from '../../src/radius/handlers/mac-auth.js';
import { parseMac } from '../../src/store/mac.js';

describe('remembered MAC parses', () => {
  it('answer as parseMac does, the first time and after', () => {
    const macOf = rememberedMacs();
    for (const text of ['00-1B-63-00-00-01', '00:1b:63:00:00:01', '001b.6300.0001', 'aigerim', '00-1B-63-00-00', '', undefined]) {
      expect(macOf(text), String(text)).toBe(parseMac(text));
      expect(macOf(text), String(text)).toBe(parseMac(text));
    }
  });

  it('keep at most their bound, still answering for the texts they let go', () => {
    const macOf = rememberedMacs(3);
    for (let i = 0; i < 10; i++) {
      expect(macOf(`00-1B-63-00-00-0${i}`)).toBe(`00:1b:63:00:00:0${i}`);
      expect(macOf.size()).toBe(Math.min(i + 1, 3));
    }
    expect(macOf('00-1B-63-00-00-01')).toBe('00:1b:63:00:00:01');
    expect(macOf.size()).toBe(3);
  });
});
