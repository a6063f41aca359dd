// The adapter for each vendor profile. Vendors without an adapter of their own yet get the
// generic dialect (standard attributes + WISPr), which every one of them accepts.
import type { Vendor } from '../store/nas.js';
import { chilli } from './chilli.js';
import { generic } from './generic.js';
import { mikrotik } from './mikrotik.js';
import type { VendorAdapter } from './types.js';

const ADAPTERS: Partial<Record<Vendor, VendorAdapter>> = { mikrotik, chilli, generic };

export function adapterFor(vendor: Vendor): VendorAdapter {
  return ADAPTERS[vendor] ?? generic;
}
