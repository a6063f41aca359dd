// Each vendor's redirect, read from its documented parameters, and the release it gets.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NasClient } from '../../src/store/nas.js';
import { chilliChapResponse } from '../../src/vendors/portal/chilli.js';
import { detectDialect } from '../../src/vendors/portal/index.js';
import { mikrotikChapPassword, octalToHex } from '../../src/vendors/portal/mikrotik.js';

const token = { username: 'tok-abc', password: 'secret-pw' };
const nas = (settings: Partial<NasClient> = {}): NasClient => ({ address: '10.0.0.1', secret: 's', vendor: 'generic', coaPort: 3799, requireMessageAuthenticator: true, createdAt: '', ...settings });

function read(query: Record<string, string>, path = '/') {
  const dialect = detectDialect(query, path);
  if (!dialect) throw new Error('not detected');
  return { dialect, context: dialect.parse(query, path) };
}

describe('vendor redirects and releases', () => {
  it('CoovaChilli: CHAP response with and without the uamsecret', () => {
    const { dialect, context } = read({ res: 'notyet', uamip: '10.1.0.1', uamport: '3990', challenge: '00112233445566778899aabbccddeeff', called: '00-0C-42-00-00-01', mac: '00-1B-63-00-00-05', ip: '10.1.0.50', nasid: 'chilli-7', userurl: 'http://example.org/' });
    expect(context).toEqual({ vendor: 'chilli', nasId: 'chilli-7', clientMac: '00:1b:63:00:00:05', clientIp: '10.1.0.50', apMac: '00:0c:42:00:00:01', originalUrl: 'http://example.org/', loginUrl: 'http://10.1.0.1:3990/logon', challenge: '00112233445566778899aabbccddeeff' });
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const k = createHash('md5').update(challenge).update('uam').digest();
    expect(chilliChapResponse(context.challenge!, 'pw', 'uam')).toBe(createHash('md5').update(Buffer.from([0])).update('pw').update(k).digest('hex'));
    expect(chilliChapResponse(context.challenge!, 'pw', undefined)).toBe(createHash('md5').update(Buffer.from([0])).update('pw').update(challenge).digest('hex'));
    expect(dialect.release(context, token, nas({ uamSecret: 'uam' }))).toEqual({ kind: 'form', method: 'GET', action: 'http://10.1.0.1:3990/logon', fields: { username: 'tok-abc', response: chilliChapResponse(context.challenge!, 'secret-pw', 'uam'), userurl: 'http://example.org/' } });
  });

  it('MikroTik: octal CHAP values and the HTTP-CHAP password, or PAP without them', () => {
    expect(octalToHex('\\001\\377\\040', 'x')).toBe('01ff20');
    expect(() => octalToHex('\\9', 'chap-id')).toThrow(/octal/);
    const { dialect, context } = read({ mac: '00:1B:63:00:00:06', ip: '10.2.0.9', identity: 'hs-1', 'link-login-only': 'http://10.2.0.1/login', 'link-orig': 'http://example.org/', 'chap-id': '\\021', 'chap-challenge': '\\001\\002\\003' });
    expect(context).toMatchObject({ vendor: 'mikrotik', nasId: 'hs-1', chapId: '11', challenge: '010203', loginUrl: 'http://10.2.0.1/login' });
    expect(dialect.release(context, token, undefined)).toEqual({ kind: 'form', method: 'POST', action: 'http://10.2.0.1/login', fields: { username: 'tok-abc', password: mikrotikChapPassword('11', 'secret-pw', '010203'), dst: 'http://example.org/', popup: 'true' } });
    const pap = read({ 'link-login-only': 'https://hotspot.school/login', mac: '00:1B:63:00:00:06' });
    expect(pap.dialect.release(pap.context, token, undefined)).toMatchObject({ fields: { username: 'tok-abc', password: 'secret-pw' } });
  });

  it('Cisco WLC: switch_url with buttonClicked=4', () => {
    const { dialect, context } = read({ switch_url: 'https://1.1.1.1/login.html', ap_mac: '00:11:22:33:44:55', client_mac: '00:1b:63:00:00:07', wlan: 'School', redirect: 'http://example.org/' });
    expect(context).toMatchObject({ vendor: 'cisco', ssid: 'School', clientMac: '00:1b:63:00:00:07' });
    expect(dialect.release(context, token, undefined)).toEqual({ kind: 'form', method: 'POST', action: 'https://1.1.1.1/login.html', fields: { username: 'tok-abc', password: 'secret-pw', buttonClicked: '4', err_flag: '0', redirect_url: 'http://example.org/' } });
  });

  it('Aruba: cmd=authenticate to https://<switchip>/cgi-bin/login', () => {
    const { dialect, context } = read({ cmd: 'login', mac: '00:1b:63:00:00:08', essid: 'School', ip: '10.3.0.5', apname: 'ap-12', apmac: '00:0b:86:00:00:01', vcname: 'vc', switchip: 'securelogin.arubanetworks.com', url: 'http://example.org/' });
    expect(context).toMatchObject({ vendor: 'aruba', nasId: 'ap-12', loginUrl: 'https://securelogin.arubanetworks.com/cgi-bin/login' });
    expect(dialect.release(context, token, undefined)).toMatchObject({ method: 'POST', fields: { user: 'tok-abc', password: 'secret-pw', cmd: 'authenticate', url: 'http://example.org/' } });
  });

  it('Meraki sign-on: login_url with success_url', () => {
    const { dialect, context } = read({ login_url: 'https://n1.network-auth.com/splash/login?mauth=x', continue_url: 'http://example.org/', ap_mac: '00:18:0a:00:00:01', client_mac: '00:1b:63:00:00:09', client_ip: '10.4.0.7' });
    expect(context.vendor).toBe('meraki');
    expect(dialect.release(context, token, undefined)).toMatchObject({ method: 'POST', action: 'https://n1.network-auth.com/splash/login?mauth=x', fields: { username: 'tok-abc', password: 'secret-pw', success_url: 'http://example.org/' } });
  });

  it('Fortinet: magic, username and password to the post URL', () => {
    const { dialect, context } = read({ login: '', post: 'https://10.5.0.1:1003/fgtauth', magic: '0a1b2c', usermac: '00:1b:63:00:00:0a', apmac: '00:09:0f:00:00:01', apip: '10.5.0.2', userip: '10.5.0.30', ssid: 'School' });
    expect(dialect.release(context, token, undefined)).toEqual({ kind: 'form', method: 'POST', action: 'https://10.5.0.1:1003/fgtauth', fields: { magic: '0a1b2c', username: 'tok-abc', password: 'secret-pw' } });
  });

  it('openNDS: level 0 token as given, level 1 token from hid and the faskey', () => {
    const level0 = read({ authaction: 'http://10.6.0.1:2050/opennds_auth/', tok: 'abc123', clientip: '10.6.0.9', gatewayname: 'lib-1', redir: 'http://example.org/' });
    expect(level0.dialect.release(level0.context, token, undefined)).toEqual({ kind: 'form', method: 'GET', action: 'http://10.6.0.1:2050/opennds_auth/', fields: { tok: 'abc123', redir: 'http://example.org/' } });
    const level1 = read({ hid: 'h1d', gatewayaddress: '10.6.0.1:2050', authdir: 'opennds_auth', clientip: '10.6.0.9', gatewayname: 'lib-1' });
    expect(level1.dialect.release(level1.context, token, nas({ uamSecret: 'faskey-1' }))).toMatchObject({ fields: { tok: createHash('sha256').update('h1dfaskey-1').digest('hex') } });
    expect(() => level1.dialect.release(level1.context, token, nas())).toThrow(/faskey/);
  });

  it('UniFi: the site from the path, and authorize-guest through the controller', () => {
    const { dialect, context } = read({ ap: '78:8a:20:00:00:01', id: '00:1b:63:00:00:0b', t: '1700000000', url: 'http://example.org/', ssid: 'Guests' }, '/guest/s/default/');
    expect(context).toMatchObject({ vendor: 'unifi', nasId: 'default', clientMac: '00:1b:63:00:00:0b', apMac: '78:8a:20:00:00:01' });
    expect(dialect.release(context, token, nas({ controllerUrl: 'https://unifi.school:8443/' }))).toEqual({
      kind: 'controller',
      request: { url: 'https://unifi.school:8443/api/s/default/cmd/stamgr', body: { cmd: 'authorize-guest', mac: '00:1b:63:00:00:0b', ap_mac: '78:8a:20:00:00:01', minutes: 480 } },
      then: 'http://example.org/',
    });
    expect(() => dialect.release(context, token, nas())).toThrow(/no controller/);
  });

  it('generic: login_url, mac, ip, orig', () => {
    const { dialect, context } = read({ login_url: 'http://10.7.0.1/login', mac: '00:1b:63:00:00:0c', ip: '10.7.0.3', orig: 'http://example.org/' });
    expect(dialect.release(context, token, undefined)).toMatchObject({ fields: { username: 'tok-abc', password: 'secret-pw', dst: 'http://example.org/' } });
  });

  it.each([
    [{ uamip: 'not-an-ip', challenge: '00' }, /not an IP/],
    [{ uamip: '10.1.0.1', challenge: 'zz' }, /not hexadecimal/],
    [{ 'link-login-only': 'javascript:alert(1)' }, /not an http/],
    [{ switch_url: 'https://1.1.1.1/', client_mac: 'nope' }, /not a MAC/],
  ])('refuses tampered parameters %j', (query, message) => {
    const dialect = detectDialect(query, '/');
    expect(() => dialect!.parse(query, '/')).toThrow(message);
  });

  it('recognises nothing in a plain visit', () => {
    expect(detectDialect({}, '/')).toBeUndefined();
  });
});
