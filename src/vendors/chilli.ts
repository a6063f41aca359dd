// CoovaChilli (OpenWrt and many white-label APs). Bandwidth in ChilliSpot-Bandwidth-Max-* is
// kbit/s, and WISPr-Bandwidth-Max-* (bit/s) is sent too, for firmware that reads only WISPr.
// Data limits: ChilliSpot-Max-Total-Octets (+ Gigawords).
import type { EncodableAttribute } from 'radius';
import { kbps, splitGigawords, standardAttributes, wisprBandwidth } from './common.js';
import type { VendorAdapter } from './types.js';

export const chilli: VendorAdapter = {
  id: 'chilli',
  canCoa: true,
  replyAttributes(grant) {
    const vendor: EncodableAttribute[] = [];
    if (grant.upRate !== undefined) vendor.push(['ChilliSpot-Bandwidth-Max-Up', kbps(grant.upRate)]);
    if (grant.downRate !== undefined) vendor.push(['ChilliSpot-Bandwidth-Max-Down', kbps(grant.downRate)]);
    if (grant.dataLeft !== undefined) {
      const { low, giga } = splitGigawords(grant.dataLeft);
      vendor.push(['ChilliSpot-Max-Total-Octets', low], ['ChilliSpot-Max-Total-Gigawords', giga]);
    }
    return [...standardAttributes(grant), ...(vendor.length ? [['Vendor-Specific', 14559, vendor] as EncodableAttribute] : []), ...wisprBandwidth(grant)];
  },
};
