// UniFi external portal: the controller redirects to /guest/s/<site>/?ap=<apmac>&id=<clientmac>
// &t=<ts>&url=<orig>&ssid=<ssid> (its external-portal field takes only an IPv4 address, so the
// request reaches Mektep on port 80). UniFi is not released through RADIUS: the portal
// authorises the guest through the controller API (legacy `authorize-guest`, with minutes and
// kbit/s limits), using the controller URL and account stored on the NAS.
import { ValidationError } from '../../errors.js';
import { compact, mac, need } from './common.js';
import type { PortalDialect } from './types.js';

export const unifiPortal: PortalDialect = {
  vendor: 'unifi',
  detect: (_query, path) => /^\/guest\/s\/[^/]+\/?$/.test(path),
  parse(query, path) {
    const site = decodeURIComponent(path.split('/')[3] ?? '');
    if (!/^[\w-]{1,64}$/.test(site)) throw new ValidationError('the UniFi site name is not valid');
    return compact({
      vendor: 'unifi' as const,
      nasId: site,
      clientMac: mac(need(query, 'id')),
      apMac: mac(query.ap),
      ssid: query.ssid,
      originalUrl: query.url,
    });
  },
  release(context, _credentials, nas) {
    if (!nas?.controllerUrl) throw new ValidationError('this UniFi site has no controller configured (mektep nas set --controller-url …)');
    return {
      kind: 'controller',
      request: {
        url: `${nas.controllerUrl.replace(/\/+$/, '')}/api/s/${encodeURIComponent(context.nasId!)}/cmd/stamgr`,
        body: compact({ cmd: 'authorize-guest', mac: context.clientMac, ap_mac: context.apMac, minutes: 480 }),
      },
      ...(context.originalUrl ? { then: context.originalUrl } : {}),
    };
  },
};
