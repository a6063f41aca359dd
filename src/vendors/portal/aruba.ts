// Aruba Instant / AOS external captive portal: cmd=login, mac, essid, ip, apname, apmac,
// vcname, switchip, url. The release POSTs to https://<switchip>/cgi-bin/login with user,
// password and cmd=authenticate; the controller sends Access-Request (PAP).
import { compact, formFields, ip, mac, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export const arubaPortal: PortalDialect = {
  vendor: 'aruba',
  detect: (query) => query.switchip !== undefined && query.cmd === 'login',
  parse(query) {
    const switchip = need(query, 'switchip');
    return compact({
      vendor: 'aruba' as const,
      nasId: query.apname ?? query.vcname,
      clientMac: mac(query.mac),
      clientIp: ip(query.ip),
      apMac: mac(query.apmac),
      ssid: query.essid,
      originalUrl: query.url,
      loginUrl: url(`https://${/^[\w.:-]+$/.test(switchip) ? switchip : 'invalid'}/cgi-bin/login`, 'switchip'),
    });
  },
  release: (context, credentials) => ({
    kind: 'form',
    method: 'POST',
    action: context.loginUrl!,
    fields: formFields({ user: credentials.username, password: credentials.password, cmd: 'authenticate', url: context.originalUrl }),
  }),
};
