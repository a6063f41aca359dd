// The MAC parses remembered on the RADIUS hot path (mac-auth.ts) answer as parseMac does, for MACs
// and for what is no MAC, and stay bounded.
import { describe, expect, it } from 'vitest';
import { hashOf, rememberedMacBytes, rememberedMacs } from '../../src/radius/handlers/mac-auth.js';
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

describe('remembered MAC parses by the bytes of the attribute', () => {
  const bytesOf = (text: string) => {
    // A view inside a larger datagram, as the frame hands it out.
    const datagram = Buffer.alloc(text.length + 40, 0xaa);
    datagram.write(text, 20);
    return datagram.subarray(20, 20 + Buffer.byteLength(text));
  };

  it('answer as parseMac does for the text, the first time and after', () => {
    const macOf = rememberedMacBytes();
    for (const text of ['00-1B-63-00-00-01', '00:1b:63:00:00:01', '001b.6300.0001', 'aigerim', 'Айгерим', '00-1B-63-00-00', '']) {
      expect(macOf(bytesOf(text)), text).toBe(parseMac(text));
      expect(macOf(bytesOf(text)), text).toBe(parseMac(text));
    }
    expect(macOf(undefined)).toBeUndefined();
  });

  it('tell apart bytes that hash alike, and keep at most their bound', () => {
    // Texts enough for two to share a hash (found here, so the case is really there).
    const texts = Array.from({ length: 120_000 }, (_, i) => `00-1B-${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join('-')}-7${i % 10}`);
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (const text of texts) {
      const hash = hashOf(bytesOf(text));
      const earlier = seen.get(hash);
      if (earlier !== undefined) {
        pair = [earlier, text];
        break;
      }
      seen.set(hash, text);
    }
    if (!pair) throw new Error('no two texts share a hash: take more');
    expect(parseMac(pair[0])).not.toBe(parseMac(pair[1]));
    const macOf = rememberedMacBytes(5);
    for (let round = 0; round < 3; round++) {
      for (const text of pair) expect(macOf(bytesOf(text)), text).toBe(parseMac(text));
    }
    for (const text of texts.slice(0, 20)) expect(macOf(bytesOf(text))).toBe(parseMac(text));
    expect(macOf.size()).toBe(5);
  });
});
