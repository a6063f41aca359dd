// Recognises the vendor from its redirect parameters. The order matters where parameters
// overlap: Meraki's login_url comes with client_mac, the generic dialect's without.
import type { Vendor } from '../../store/nas.js';
import { arubaPortal } from './aruba.js';
import { chilliPortal } from './chilli.js';
import { ciscoPortal } from './cisco.js';
import { fortinetPortal } from './fortinet.js';
import { genericPortal } from './generic.js';
import { merakiPortal } from './meraki.js';
import { mikrotikPortal } from './mikrotik.js';
import { openndsPortal } from './opennds.js';
import type { PortalDialect, Query } from './types.js';
import { unifiPortal } from './unifi.js';

const DIALECTS: PortalDialect[] = [unifiPortal, chilliPortal, mikrotikPortal, ciscoPortal, arubaPortal, fortinetPortal, openndsPortal, merakiPortal, genericPortal];

export function detectDialect(query: Query, path: string): PortalDialect | undefined {
  return DIALECTS.find((dialect) => dialect.detect(query, path));
}

export function dialectFor(vendor: Vendor): PortalDialect {
  return DIALECTS.find((dialect) => dialect.vendor === vendor) ?? genericPortal;
}
