// Any gateway that can redirect with the WISPr-style basics: login_url (where to post), mac,
// ip, orig (the page asked for). The release POSTs username and password (PAP) to login_url.
import { compact, formFields, ip, mac, need, url } from './common.js';
import type { PortalDialect } from './types.js';

export const genericPortal: PortalDialect = {
  vendor: 'generic',
  detect: (query) => query.login_url !== undefined,
  parse: (query) => compact({
    vendor: 'generic' as const,
    nasId: query.nasid,
    loginUrl: url(need(query, 'login_url'), 'login_url'),
    clientMac: mac(query.mac),
    clientIp: ip(query.ip),
    originalUrl: query.orig,
  }),
  release: (context, credentials) => ({
    kind: 'form',
    method: 'POST',
    action: context.loginUrl!,
    fields: formFields({ username: credentials.username, password: credentials.password, dst: context.originalUrl }),
  }),
};
