// Which access point a portal link belongs to, and whether the browser may be sent to the login
// URL the link names. The redirect parameters come through the browser, so anyone can craft
// them: a link whose login URL is the attacker's own address would have the victim's one-time
// credential posted there. The release therefore goes only to an AP the NAS record allows —
// inside the NAS's address (IP or CIDR) or under the login URL configured for it — and a link
// that leads to no known NAS is refused.
import { BlockList, isIP } from 'node:net';
import { parseNasAddress } from '../store/address.js';
import type { NasDirectory } from '../store/nas-directory.js';
import { loginUrlCovers, type NasClient } from '../store/nas.js';
import type { PortalContext } from './context.js';

export type AccessPointRefusal = 'unknown-nas' | 'login-url-not-allowed' | 'ambiguous-login-url';

export type AccessPoint = { nas: NasClient } | { refused: AccessPointRefusal };

/** The IP a URL names, without IPv6 brackets; undefined for a host name. */
function literalIp(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? undefined : host;
}

// Built once per NAS record (the directory replaces the record when it changes): parsing the
// address and building the list was a tenth of the landing page's own work.
const blocks = new WeakMap<NasClient, { family: 'ipv4' | 'ipv6'; block: BlockList }>();

function blockOf(nas: NasClient): { family: 'ipv4' | 'ipv6'; block: BlockList } {
  let found = blocks.get(nas);
  if (!found) {
    const address = parseNasAddress(nas.address);
    const block = new BlockList();
    block.addSubnet(address.network, address.prefix, address.family);
    found = { family: address.family, block };
    blocks.set(nas, found);
  }
  return found;
}

function withinAddress(nas: NasClient, ip: string): boolean {
  const { family, block } = blockOf(nas);
  if ((isIP(ip) === 6) !== (family === 'ipv6')) return false;
  return block.check(ip, family);
}

export function allowsLoginUrl(nas: NasClient, url: URL): boolean {
  const ip = literalIp(url);
  return (nas.loginUrl !== undefined && loginUrlCovers(nas.loginUrl, url)) || (ip !== undefined && withinAddress(nas, ip));
}

// The answers for each NAS record's login URLs as its APs send them (one or a few per NAS), so
// that a landing page does not parse the URL again; at most LOGIN_URLS_KEPT per record.
const LOGIN_URLS_KEPT = 64;
const answers = new WeakMap<NasClient, Map<string, boolean>>();

function allowsLoginUrlText(nas: NasClient, loginUrl: string): boolean {
  let known = answers.get(nas);
  if (!known) {
    known = new Map();
    answers.set(nas, known);
  }
  let allowed = known.get(loginUrl);
  if (allowed === undefined) {
    allowed = allowsLoginUrl(nas, new URL(loginUrl));
    if (known.size >= LOGIN_URLS_KEPT) known.clear();
    known.set(loginUrl, allowed);
  }
  return allowed;
}

export function accessPointOf(directory: Pick<NasDirectory, 'byNasId' | 'byLoginUrl' | 'find'>, context: PortalContext): AccessPoint {
  const named = directory.byNasId(context.nasId);
  // UniFi is released by the controller stored on the NAS, never by the browser.
  if (!context.loginUrl) return named ? { nas: named } : { refused: 'unknown-nas' };
  if (named) return allowsLoginUrlText(named, context.loginUrl) ? { nas: named } : { refused: 'login-url-not-allowed' };
  const url = new URL(context.loginUrl);
  // No identifier, or one no NAS has (Aruba's per-AP name, an unset --nas-id): the login URL
  // itself must lead to exactly one NAS, by its configured login URL or its address.
  const configured = directory.byLoginUrl(url);
  if (configured.length > 1) return { refused: 'ambiguous-login-url' };
  const ip = literalIp(url);
  const nas = configured[0] ?? (ip === undefined ? undefined : directory.find(ip));
  return nas ? { nas } : { refused: 'unknown-nas' };
}
