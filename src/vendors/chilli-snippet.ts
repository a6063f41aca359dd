// CoovaChilli's settings for Mektep (/etc/chilli/config; the same names in UCI), as
// docs/vendors/chilli.md explains them. HS_UAMFORMAT must be PUBLIC_URL exactly: with a
// uamsecret, Chilli's signature covers the portal's address.
import { portalHost, type Snippet, type SnippetContext } from './snippet-types.js';

export function chilliSnippets({ publicUrl, radiusAddress, authPort, acctPort, secret, nas }: SnippetContext): Snippet[] {
  const host = portalHost(publicUrl);
  const lines = [
    `HS_RADIUS=${radiusAddress}`,
    '# HS_RADIUS2=<a second Mektep instance, if there is one>',
    `HS_RADAUTH=${authPort}`,
    `HS_RADACCT=${acctPort}`,
    `HS_RADSECRET=${secret}`,
    `HS_NASID=${nas.nasId ?? '<nasid: set the same NAS-Identifier on this NAS in Mektep>'}`,
    `HS_UAMSERVER=${host}`,
    `HS_UAMFORMAT=${publicUrl}/`,
    '# HS_UAMSECRET=<uamsecret>   optional; then store the same value in Mektep (mektep nas set <ip> --uam-secret-stdin)',
    `HS_UAMALLOW=${host},${radiusAddress}`,
    `HS_COAPORT=${nas.coaPort}`,
    'HS_MACAUTH=on',
  ];
  return [{ kind: 'config', file: '/etc/chilli/config', text: `${lines.join('\n')}\n` }];
}
