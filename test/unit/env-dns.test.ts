import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';

describe('DNS settings', () => {
  it('leaves the resolver off without DNS_PORT, with the defaults ready', () => {
    expect(loadConfig({}).dns).toEqual({ host: '0.0.0.0', port: undefined, upstream: undefined, blockAddresses: [], clientRate: 2000 });
  });

  it('points blocked names at PUBLIC_URL when its host is an IP address, and nowhere when it is a name', () => {
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080', DNS_PORT: '53' }).dns).toMatchObject({ port: 53, blockAddresses: ['10.0.0.5'] });
    expect(loadConfig({ PUBLIC_URL: 'http://[2001:db8::5]/' }).dns.blockAddresses).toEqual(['2001:db8::5']);
    expect(loadConfig({ PUBLIC_URL: 'https://wifi.school.kz' }).dns.blockAddresses).toEqual([]);
  });

  it('takes one IPv4 and one IPv6 block address, and refuses two of a kind or a name', () => {
    expect(loadConfig({ DNS_BLOCK_ADDRESS: '10.0.0.9, 2001:db8::9' }).dns.blockAddresses).toEqual(['10.0.0.9', '2001:db8::9']);
    expect(() => loadConfig({ DNS_BLOCK_ADDRESS: '10.0.0.9,10.0.0.10' })).toThrow(/DNS_BLOCK_ADDRESS="10.0.0.9,10.0.0.10": expected an IPv4 address, an IPv6 address, or one of each/);
    expect(() => loadConfig({ DNS_BLOCK_ADDRESS: 'block.school.kz' })).toThrow(/DNS_BLOCK_ADDRESS/);
  });

  it('checks DNS_UPSTREAM, DNS_HOST and DNS_CLIENT_RATE', () => {
    expect(loadConfig({ DNS_UPSTREAM: '10.0.0.53,[2001:db8::53]:5353', DNS_CLIENT_RATE: '0' }).dns).toMatchObject({ upstream: '10.0.0.53,[2001:db8::53]:5353', clientRate: 0 });
    expect(() => loadConfig({ DNS_UPSTREAM: 'dns.google' })).toThrow(/DNS_UPSTREAM/);
    expect(() => loadConfig({ DNS_HOST: 'bad host!' })).toThrow(/DNS_HOST/);
    expect(() => loadConfig({ DNS_PORT: '70000' })).toThrow(/DNS_PORT/);
  });
});
