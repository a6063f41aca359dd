import { describe, expect, it } from 'vitest';
import { createAddressMatcher, parseNasAddress } from '../../src/store/address.js';

describe('NAS addresses', () => {
  it('spells each address one way', () => {
    expect(parseNasAddress('10.1.2.3').text).toBe('10.1.2.3');
    expect(parseNasAddress(' 10.1.0.0/16 ').text).toBe('10.1.0.0/16');
    expect(parseNasAddress('2001:DB8:0:0::1').text).toBe('2001:db8::1');
    expect(parseNasAddress('2001:db8::/32').text).toBe('2001:db8::/32');
    expect(parseNasAddress('10.1.2.3/32').text).toBe('10.1.2.3');
  });

  it.each([
    ['10.1.2.300', /not an IP address/],
    ['school-ap', /not an IP address/],
    ['10.1.2.0/33', /prefix length/],
    ['10.1.2.5/24', /bits set after the \/24 prefix/],
    ['10.0.0.0/8/1', /not an IP address/],
  ])('refuses %s', (input, message) => {
    expect(() => parseNasAddress(input)).toThrow(message);
  });

  it('finds the most specific block, and exact addresses first', () => {
    const match = createAddressMatcher(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '2001:db8::/32'].map(parseNasAddress));
    expect(match('10.1.2.3')).toBe('10.1.2.3');
    expect(match('10.1.9.9')).toBe('10.1.0.0/16');
    expect(match('10.200.0.1')).toBe('10.0.0.0/8');
    expect(match('::ffff:10.1.9.9')).toBe('10.1.0.0/16');
    expect(match('2001:db8::77')).toBe('2001:db8::/32');
    expect(match('192.168.1.1')).toBeUndefined();
    expect(match('garbage')).toBeUndefined();
  });
});
