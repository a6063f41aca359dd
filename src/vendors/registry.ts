// The adapter for each vendor profile a NAS can have.
import type { Vendor } from '../store/nas.js';
import { chilli } from './chilli.js';
import { cisco } from './cisco.js';
import { opennds, unifi } from './controller-limited.js';
import { generic } from './generic.js';
import { mikrotik } from './mikrotik.js';
import { aruba, fortinet, meraki } from './role-named.js';
import type { VendorAdapter } from './types.js';

const ADAPTERS: Record<Vendor, VendorAdapter> = { mikrotik, chilli, generic, cisco, aruba, meraki, fortinet, unifi, opennds };

export function adapterFor(vendor: Vendor): VendorAdapter {
  return ADAPTERS[vendor];
}
