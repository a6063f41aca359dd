// The vendors configured through a web interface rather than a file (docs/vendors/*.md): the
// values to enter, one "setting: value" a line, in the vendor's own English terms.
import type { Vendor } from '../store/nas.js';
import { portalHost, type Snippet, type SnippetContext } from './snippet-types.js';

function radiusServer({ radiusAddress, authPort, acctPort, secret }: SnippetContext): string[] {
  return [`RADIUS server: ${radiusAddress}`, `Authentication port: ${authPort}`, `Accounting port: ${acctPort}`, `Shared secret: ${secret}`];
}

function walledGarden(context: SnippetContext): string {
  return `${portalHost(context.publicUrl)}, ${context.radiusAddress}`;
}

type Builder = (context: SnippetContext) => string[];

const BUILDERS: Partial<Record<Vendor, Builder>> = {
  cisco: (context) => [
    '# Security > AAA > RADIUS > Authentication and Accounting',
    ...radiusServer(context),
    `Support for CoA: Enabled (UDP ${context.nas.coaPort})`,
    '# WLAN > Security > Layer 3: Web Policy, Authentication, Override Global Config: External',
    `External web-auth URL: ${context.publicUrl}/`,
    `Pre-authentication ACL: allow ${walledGarden(context)}`,
  ],
  aruba: (context) => [
    '# Authentication server',
    ...radiusServer(context),
    `Dynamic authorization (RFC 3576 / CoA): on, UDP ${context.nas.coaPort}`,
    '# Captive portal profile',
    `External captive portal URL: ${context.publicUrl}/ (redirect URL parameters on)`,
    `Walled garden: ${walledGarden(context)}`,
    '# A controller role per Mektep role (student, teacher, staff, guest) with its bw-contract',
  ],
  meraki: (context) => [
    '# Access control > Splash page: Sign-on with my RADIUS server',
    ...radiusServer(context),
    `Custom splash URL: ${context.publicUrl}/${context.nas.nasId ? `?nasid=${encodeURIComponent(context.nas.nasId)}` : ''}`,
    `Walled garden: ${walledGarden(context)}`,
    '# Group policies named like the Mektep roles (or the policy\'s Filter-Id)',
  ],
  fortinet: (context) => [
    '# User & Authentication > RADIUS servers (accounting on)',
    ...radiusServer(context),
    '# SSID > Security mode: Captive Portal, portal type External',
    `Portal URL: ${context.publicUrl}/${context.nas.nasId ? `?nasid=${encodeURIComponent(context.nas.nasId)}` : ''}`,
    `Exempt destinations: ${walledGarden(context)}`,
    '# User groups named like the Mektep roles (or the policy\'s Filter-Id)',
  ],
  unifi: (context) => [
    '# Guest Hotspot > Authentication: External portal server',
    `External portal server address: ${context.radiusAddress} (UniFi sends guests to port 80 there)`,
    `Allowed authorization access: ${walledGarden(context)}`,
    `# In Mektep: this NAS's NAS-Identifier is the UniFi site (${context.nas.nasId ?? 'default'}), plus the controller URL and a Hotspot operator account`,
  ],
  opennds: (context) => [
    'option fasport \'443\'',
    `option fasremotefqdn '${portalHost(context.publicUrl)}'`,
    'option faspath \'/\'',
    'option fas_secure_enabled \'1\'',
    'option faskey \'<faskey: the same value in Mektep, mektep nas set <ip> --uam-secret-stdin>\'',
    ...(context.nas.nasId ? [`option gatewayname '${context.nas.nasId}'`] : []),
  ],
  generic: (context) => [
    ...radiusServer(context),
    `CoA / Disconnect (RFC 5176) listening on UDP ${context.nas.coaPort}`,
    `Captive portal: redirect to ${context.publicUrl}/?login_url=<where to post>&mac=<client mac>&ip=<client ip>&orig=<original URL>${context.nas.nasId ? `&nasid=${encodeURIComponent(context.nas.nasId)}` : ''}`,
    `Walled garden: ${walledGarden(context)}`,
  ],
};

export function settingsSnippets(vendor: Vendor, context: SnippetContext): Snippet[] {
  const build = BUILDERS[vendor];
  return build ? [{ kind: vendor === 'opennds' ? 'config' : 'settings', ...(vendor === 'opennds' ? { file: '/etc/config/opennds' } : {}), text: `${build(context).join('\n')}\n` }] : [];
}
