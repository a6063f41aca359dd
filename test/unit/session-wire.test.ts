// NAS attribute values kept as text and given back byte for byte (hardening item 17).
import { describe, expect, it } from 'vitest';
import { bytesOfText, textOfBytes } from '../../src/store/session-wire.js';

describe('attribute values as the NAS sent them', () => {
  it.each([
    ['plain text stays readable', Buffer.from('Sess-0001'), 'Sess-0001'],
    ['UTF-8 stays readable', Buffer.from('Айгерім'), 'Айгерім'],
    ['bytes that are not UTF-8 become hex', Buffer.from([0xff, 0xfe, 0x41, 0x80]), 'hex:fffe4180'],
    ['text that looks like the marker is escaped too', Buffer.from('hex:00'), 'hex:6865783a3030'],
    ['an empty value', Buffer.alloc(0), ''],
    ['a NUL inside', Buffer.from([0x61, 0x00, 0x62]), 'a\u0000b'],
  ])('%s', (_, bytes, text) => {
    expect(textOfBytes(bytes)).toBe(text);
    expect(bytesOfText(text).equals(bytes)).toBe(true);
  });
});
