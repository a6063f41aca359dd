// MikroTik RouterOS (hotspot, wireless, PPP). Rate limits go in Mikrotik-Rate-Limit as
// "rx/tx [burst-rx/burst-tx] [threshold-rx/threshold-tx] [time-rx/time-tx]", where rx is what
// the router receives, i.e. the client's upload. It overrides WISPr attributes when both come.
// Data limits: Mikrotik-Total-Limit (+ Gigawords). CoA on UDP 3799 needs /radius incoming accept=yes.
import type { EncodableAttribute } from 'radius';
import type { Grant } from '../policy/grant.js';
import { kbps, splitGigawords, standardAttributes } from './common.js';
import type { VendorAdapter } from './types.js';

function kbit(rate: number | undefined): string {
  return rate === undefined ? '0' : `${kbps(rate)}k`;
}

export function mikrotikRateLimit(grant: Grant): string | undefined {
  if (grant.downRate === undefined && grant.upRate === undefined) return undefined;
  const base = `${kbit(grant.upRate)}/${kbit(grant.downRate)}`;
  if (grant.burstDownRate === undefined && grant.burstUpRate === undefined) return base;
  // Burst while the average stays under the base rate, for burst-time seconds.
  const seconds = grant.burstSeconds ?? 10;
  return `${base} ${kbit(grant.burstUpRate ?? grant.upRate)}/${kbit(grant.burstDownRate ?? grant.downRate)} ${kbit(grant.upRate)}/${kbit(grant.downRate)} ${seconds}/${seconds}`;
}

export const mikrotik: VendorAdapter = {
  id: 'mikrotik',
  canCoa: true,
  replyAttributes(grant) {
    const vendor: EncodableAttribute[] = [];
    const rate = mikrotikRateLimit(grant);
    if (rate) vendor.push(['Mikrotik-Rate-Limit', rate]);
    if (grant.dataLeft !== undefined) {
      const { low, giga } = splitGigawords(grant.dataLeft);
      vendor.push(['Mikrotik-Total-Limit', low], ['Mikrotik-Total-Limit-Gigawords', giga]);
    }
    return [...standardAttributes(grant), ...(vendor.length ? [['Vendor-Specific', 14988, vendor] as EncodableAttribute] : [])];
  },
};
