// Meraki sign-on splash: login_url, continue_url, ap_mac, client_mac, client_ip. The release
// POSTs username, password and success_url to login_url; Meraki's cloud then sends the
// Access-Request. (Click-through splash, base_grant_url, involves no RADIUS and is not used.)
import { compact, formFields, ip, mac, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export const merakiPortal: PortalDialect = {
  vendor: 'meraki',
  detect: (query) => query.login_url !== undefined && (query.client_mac !== undefined || query.ap_mac !== undefined),
  parse: (query) => compact({
    vendor: 'meraki' as const,
    // The AP names no NAS; an operator can, in the portal URL configured on it (?nasid=…).
    nasId: query.nasid,
    loginUrl: url(need(query, 'login_url'), 'login_url'),
    originalUrl: query.continue_url,
    apMac: mac(query.ap_mac),
    clientMac: mac(query.client_mac),
    clientIp: ip(query.client_ip),
  }),
  release: (context, credentials) => ({
    kind: 'form',
    method: 'POST',
    action: context.loginUrl!,
    fields: formFields({ username: credentials.username, password: credentials.password, success_url: context.originalUrl }),
  }),
};
