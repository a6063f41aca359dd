// NAS addresses: a single IP or a CIDR block, IPv4 or IPv6, in one canonical spelling so that
// the same client cannot be added twice under two names.
import { BlockList, SocketAddress, isIP } from 'node:net';
import { ValidationError } from '../errors.js';

export interface NasAddress {
  /** Canonical text: "10.1.2.3", "10.1.0.0/16", "2001:db8::/32". */
  text: string;
  family: 'ipv4' | 'ipv6';
  network: string;
  prefix: number;
}

function canonicalIp(ip: string): string {
  return new SocketAddress({ address: ip, family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' }).address;
}

function toBigInt(ip: string, family: 'ipv4' | 'ipv6'): bigint {
  if (family === 'ipv4') return ip.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

const MEMO_LIMIT = 65_536;

/** Strips the IPv4-mapped prefix a dual-stack socket puts on IPv4 peers. */
export function unmapIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function parseNasAddress(input: string): NasAddress {
  const [ip = '', prefixText, extra] = input.trim().split('/');
  const version = isIP(ip);
  if (version === 0 || extra !== undefined) {
    throw new ValidationError(`"${input}" is not an IP address or CIDR block (e.g. 10.1.2.3 or 10.1.0.0/16)`);
  }
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const bits = version === 4 ? 32 : 128;
  const network = canonicalIp(ip);
  if (prefixText === undefined) return { text: network, family, network, prefix: bits };
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > bits) {
    throw new ValidationError(`"${input}": the prefix length must be a whole number from 0 to ${bits}`);
  }
  const hostBits = BigInt(bits - prefix);
  if (toBigInt(network, family) & ((1n << hostBits) - 1n)) {
    throw new ValidationError(`"${input}" has bits set after the /${prefix} prefix: give the network address of the block`);
  }
  return { text: prefix === bits ? network : `${network}/${prefix}`, family, network, prefix };
}

/** Finds the most specific NAS address that contains an IP (longest prefix wins). */
export function createAddressMatcher(addresses: NasAddress[]): (ip: string) => string | undefined {
  const exact = new Map<string, string>();
  const blocks = addresses
    .filter((address) => address.prefix < (address.family === 'ipv4' ? 32 : 128))
    .sort((a, b) => b.prefix - a.prefix)
    .map((address) => {
      const list = new BlockList();
      list.addSubnet(address.network, address.prefix, address.family);
      return { list, address };
    });
  for (const address of addresses) if (!address.text.includes('/')) exact.set(address.text, address.text);
  // Every RADIUS packet asks: answers are remembered per source address (a bounded set: the
  // access points), so the hot path is one Map lookup.
  const memo = new Map<string, string | undefined>();
  const resolve = (rawIp: string): string | undefined => {
    const ip = unmapIp(rawIp);
    const family = isIP(ip);
    if (family === 0) return undefined;
    const hit = exact.get(canonicalIp(ip));
    if (hit) return hit;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    return blocks.find((block) => block.address.family === type && block.list.check(ip, type))?.address.text;
  };
  return (rawIp) => {
    if (memo.has(rawIp)) return memo.get(rawIp);
    const found = resolve(rawIp);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(rawIp, found);
    return found;
  };
}
