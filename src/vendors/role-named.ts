// Vendors whose bandwidth and rules live on the controller, in a role or group policy chosen
// by name from RADIUS: the name is the policy's Filter-Id when set, else the Mektep role name
// (create a role or group policy of that name on the controller).
//   Aruba Instant / AOS: Aruba-User-Role (the role's bw-contract limits bandwidth).
//   Meraki: Filter-Id selects the group policy of that name; limits come from it.
//   Fortinet FortiGate: Fortinet-Group-Name selects the firewall user group.
// Meraki and FortiGate are sent a Disconnect, not a CoA, when a policy changes.
import type { EncodableAttribute } from 'radius';
import type { Grant } from '../policy/grant.js';
import { standardAttributes } from './common.js';
import type { VendorAdapter } from './types.js';

const roleName = (grant: Grant) => grant.filterId ?? grant.role;

export const aruba: VendorAdapter = {
  id: 'aruba',
  canCoa: true,
  replyAttributes: (grant) => [...standardAttributes(grant), ['Vendor-Specific', 14823, [['Aruba-User-Role', roleName(grant)]]]],
};

export const meraki: VendorAdapter = {
  id: 'meraki',
  canCoa: false,
  replyAttributes: (grant) => standardAttributes({ ...grant, filterId: roleName(grant) }),
};

export const fortinet: VendorAdapter = {
  id: 'fortinet',
  canCoa: false,
  replyAttributes: (grant): EncodableAttribute[] => [...standardAttributes(grant), ['Vendor-Specific', 12356, [['Fortinet-Group-Name', roleName(grant)]]]],
};
