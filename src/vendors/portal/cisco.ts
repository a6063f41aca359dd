// Cisco WLC web authentication (AireOS; the 9800 can rename the parameters): switch_url,
// ap_mac, client_mac, wlan, redirect, and statusCode 1-5 on a failed login. The release POSTs
// to switch_url with buttonClicked=4 (required) and err_flag=0; the WLC sends Access-Request
// with PAP, so the one-time token goes as the password.
import { compact, formFields, mac, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export const ciscoPortal: PortalDialect = {
  vendor: 'cisco',
  detect: (query) => query.switch_url !== undefined,
  parse: (query) => compact({
    vendor: 'cisco' as const,
    // The AP names no NAS; an operator can, in the portal URL configured on it (?nasid=…).
    nasId: query.nasid,
    loginUrl: url(need(query, 'switch_url'), 'switch_url'),
    apMac: mac(query.ap_mac),
    clientMac: mac(query.client_mac),
    ssid: query.wlan,
    originalUrl: query.redirect,
  }),
  release: (context, credentials) => ({
    kind: 'form',
    method: 'POST',
    action: context.loginUrl!,
    fields: formFields({ username: credentials.username, password: credentials.password, buttonClicked: '4', err_flag: '0', redirect_url: context.originalUrl }),
  }),
};
