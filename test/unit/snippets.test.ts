import { describe, expect, it } from 'vitest';
import { VENDORS } from '../../src/store/nas.js';
import { radiusAddressOf, setupSnippets, type SnippetContext } from '../../src/vendors/snippets.js';

const context = (overrides: Partial<SnippetContext> = {}): SnippetContext => ({
  publicUrl: 'https://wifi.sch7.kz', radiusAddress: '10.0.0.5', authPort: 1812, acctPort: 1813, secret: 's3cret-value',
  nas: { address: '10.7.0.1', coaPort: 3799, nasId: 'hall-7' }, ...overrides,
});

describe('setup snippets', () => {
  it('gives every vendor profile its setup, naming the RADIUS address, the secret and the portal', () => {
    for (const vendor of VENDORS) {
      const text = setupSnippets(vendor, context()).map((snippet) => snippet.text).join('\n');
      expect(text, vendor).toContain('wifi.sch7.kz');
      if (vendor !== 'unifi' && vendor !== 'opennds') expect(text, vendor).toContain('s3cret-value');
      if (vendor !== 'opennds') expect(text, vendor).toContain('10.0.0.5');
    }
  });

  it('writes CoovaChilli\'s config lines as docs/vendors/chilli.md explains them', () => {
    const [config] = setupSnippets('chilli', context({ nas: { address: '10.7.0.1', coaPort: 1700, nasId: 'hall-7' } }));
    expect(config?.file).toBe('/etc/chilli/config');
    expect(config?.text.split('\n')).toEqual(expect.arrayContaining([
      'HS_RADIUS=10.0.0.5', 'HS_RADSECRET=s3cret-value', 'HS_NASID=hall-7', 'HS_UAMFORMAT=https://wifi.sch7.kz/', 'HS_UAMALLOW=wifi.sch7.kz,10.0.0.5', 'HS_COAPORT=1700', 'HS_MACAUTH=on',
    ]));
  });

  it('names RADIUS ports for RouterOS only when they are not its defaults, and gives MikroTik its login.html', () => {
    expect(setupSnippets('mikrotik', context())[0]?.text).toContain('address=10.0.0.5 secret="s3cret-value"');
    expect(setupSnippets('mikrotik', context({ authPort: 11812, acctPort: 11813 }))[0]?.text).toContain('address=10.0.0.5 authentication-port=11812 accounting-port=11813 secret=');
    expect(setupSnippets('mikrotik', context())[1]).toMatchObject({ kind: 'login-html', file: 'login.html' });
  });

  it('sends access points to the address RADIUS listens on, or to PUBLIC_URL\'s host when it listens everywhere', () => {
    expect(radiusAddressOf('10.0.0.5', 'https://wifi.sch7.kz')).toBe('10.0.0.5');
    expect(radiusAddressOf('0.0.0.0', 'https://wifi.sch7.kz')).toBe('wifi.sch7.kz');
    expect(radiusAddressOf('::', 'http://[2001:db8::5]:8080')).toBe('2001:db8::5');
  });
});
