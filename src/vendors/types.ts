import type { EncodableAttribute } from 'radius';
import type { Grant } from '../policy/grant.js';
import type { Vendor } from '../store/nas.js';

/** A vendor's RADIUS dialect: pure translations, no I/O. */
export interface VendorAdapter {
  id: Vendor;
  /** Whether the NAS applies CoA-Request; if not, a policy change needs a Disconnect. */
  canCoa: boolean;
  replyAttributes(grant: Grant): EncodableAttribute[];
}
