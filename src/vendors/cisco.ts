// Cisco WLC (AireOS; the 9800 accepts the same Airespace attributes). Per-user bandwidth in
// Airespace-Data-Bandwidth-Average-Contract (downstream) and -Upstream, in kbit/s; Filter-Id
// names an ACL as Airespace-ACL-Name. The WLC answers CoA and Disconnect on UDP 3799 once the
// RADIUS server is enabled for dynamic authorization ("Support for CoA").
import type { EncodableAttribute } from 'radius';
import { kbps, standardAttributes } from './common.js';
import type { VendorAdapter } from './types.js';

export const cisco: VendorAdapter = {
  id: 'cisco',
  canCoa: true,
  replyAttributes(grant) {
    const vendor: EncodableAttribute[] = [];
    if (grant.downRate !== undefined) vendor.push(['Airespace-Data-Bandwidth-Average-Contract', kbps(grant.downRate)]);
    if (grant.upRate !== undefined) vendor.push(['Airespace-Data-Bandwidth-Average-Contract-Upstream', kbps(grant.upRate)]);
    if (grant.burstDownRate !== undefined) vendor.push(['Airespace-Data-Bandwidth-Burst-Contract', kbps(grant.burstDownRate)]);
    if (grant.burstUpRate !== undefined) vendor.push(['Airespace-Data-Bandwidth-Burst-Contract-Upstream', kbps(grant.burstUpRate)]);
    if (grant.filterId !== undefined) vendor.push(['Airespace-ACL-Name', grant.filterId]);
    return [...standardAttributes(grant), ...(vendor.length ? [['Vendor-Specific', 14179, vendor] as EncodableAttribute] : [])];
  },
};
