// Any RFC-compliant NAS: the standard attributes plus WISPr bandwidth (bit/s).
import { standardAttributes, wisprBandwidth } from './common.js';
import type { VendorAdapter } from './types.js';

export const generic: VendorAdapter = {
  id: 'generic',
  canCoa: true,
  replyAttributes: (grant) => [...standardAttributes(grant), ...wisprBandwidth(grant)],
};
