// FortiGate / FortiAP external captive portal: ?login&post=https://<fgt>:1003/fgtauth&magic=…
// &usermac&apmac&apip&userip&ssid. The release POSTs magic, username and password to `post`.
import { compact, ip, mac, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export const fortinetPortal: PortalDialect = {
  vendor: 'fortinet',
  detect: (query) => query.post !== undefined && query.magic !== undefined,
  parse: (query) => compact({
    vendor: 'fortinet' as const,
    // The AP names no NAS; an operator can, in the portal URL configured on it (?nasid=…).
    nasId: query.nasid,
    loginUrl: url(need(query, 'post'), 'post'),
    clientMac: mac(query.usermac),
    clientIp: ip(query.userip),
    apMac: mac(query.apmac),
    ssid: query.ssid,
    extra: { magic: need(query, 'magic') },
  }),
  release: (context, credentials) => ({
    kind: 'form',
    method: 'POST',
    action: context.loginUrl!,
    fields: { magic: context.extra!.magic!, username: credentials.username, password: credentials.password },
  }),
};
