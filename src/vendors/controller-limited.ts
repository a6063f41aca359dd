// Gateways whose RADIUS honours little beyond time limits; their bandwidth and data limits are
// set through their own interfaces by the portal (see docs/vendors):
//   UniFi: its hotspot RADIUS mode honours only Session-Timeout; rates and quotas go through
//   the controller API when the portal authorises the guest.
//   openNDS: not RADIUS-native (FAS); sent the standard attributes for completeness.
// Neither applies CoA: a policy change ends their sessions with a Disconnect.
import { standardAttributes } from './common.js';
import type { VendorAdapter } from './types.js';

export const unifi: VendorAdapter = {
  id: 'unifi',
  canCoa: false,
  replyAttributes: (grant) => standardAttributes(grant),
};

export const opennds: VendorAdapter = {
  id: 'opennds',
  canCoa: false,
  replyAttributes: (grant) => standardAttributes(grant),
};
