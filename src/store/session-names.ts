// The names of the index sets and the address block hashes a session is listed under, derived from its
// own fields (keys.ts). A session's hash does not keep the names (they were ~250 B of every live
// session, docs/scale.md): it keeps 'names', a digest of them and which optional fields they
// were derived from, and the session scripts derive them again from the hash in Lua when the
// session moves or ends. The Lua is generated here from keys.ts, so the two cannot drift apart.
import { createHash } from 'node:crypto';
import { keys } from './keys.js';

/** What a session's names derive from: the fields a record writes to its hash. */
export interface NamedFields {
  nas: string;
  nasIp?: string | undefined;
  nasIdentifier?: string | undefined;
  user?: string | undefined;
  school?: string | undefined;
  ip?: string | undefined;
}

interface SessionNames {
  /** The session's index sets (its AP's, with the NAS-Identifier when sent; user, school), in this order. */
  indexes: string[];
  /** The hashes of the client address's block: its NAS's (keys.sessionAddressBlock) and the any-NAS one (keys.sessionAddressAnyBlock), or none. */
  address: string[];
  /** The client address ('' when none): the block's field names and the digest take it. */
  ip: string;
  /** Which optional fields the names came from (Lua reads the hash with these). */
  flags: string;
}

/** Hex digits of the digest kept in the hash's 'names' field, before the flags. */
export const NAMES_DIGEST_LENGTH = 12;

export function sessionNames(entry: NamedFields): SessionNames {
  const ap = entry.nasIp ?? entry.nas;
  // With a NAS-Identifier, only its set: the AP's Accounting-On without one finds it through keys.apIdentifiers.
  const indexes = [keys.sessionsOfAp(entry.nas, ap, entry.nasIdentifier)];
  let flags = entry.nasIp === undefined ? '' : 'a';
  if (entry.nasIdentifier !== undefined) flags += 'n';
  if (entry.user) {
    indexes.push(keys.sessionsOfUser(entry.user));
    flags += 'u';
  }
  if (entry.school) {
    indexes.push(keys.sessionsOfSchool(entry.school));
    flags += 's';
  }
  // No set per MAC: a device's sessions are found in its school's set (sessions.ts list).
  const block = entry.ip ? addressSlot(entry.ip).block : undefined;
  const address = block === undefined ? [] : [keys.sessionAddressBlock(entry.nas, block), keys.sessionAddressAnyBlock(block)];
  if (entry.ip) flags += 'p';
  return { indexes, address, ip: entry.ip || '', flags };
}

/** The hash's 'names' value for these names: the first hex digits of their SHA-1, then the flags (as NAMES_LUA's namesDigest). */
export function namesValue({ indexes, address, ip, flags }: SessionNames): string {
  return createHash('sha1').update(`${indexes.join('\n')}\n${address[0] ?? ''}\n${address[1] ?? ''}\n${address.length ? ip : ''}`).digest('hex').slice(0, NAMES_DIGEST_LENGTH) + flags;
}

/**
 * The block a client address is listed under and its host part, the block hashes' field name
 * (as NAMES_LUA's addressSlot). An IPv4 /26: 64 addresses, so each block hash (a NAS's, the
 * any-NAS one) holds at most 64 fields and stays a listpack (Redis's default
 * hash-max-listpack-entries 128) however many schools share the range. IPv6 (not recorded today: accounting reads Framed-IP-Address) a /120 of its last group as
 * written, 256 addresses; anything else a block of its own.
 */
export function addressSlot(ip: string): { block: string; host: string } {
  const v4 = /^(\d+\.\d+\.\d+)\.(\d+)$/.exec(ip);
  if (v4) {
    const n = Number(v4[2]);
    return { block: `${v4[1]}.${n - (n % 64)}`, host: String(n % 64) };
  }
  const v6 = /^(.*:)([0-9a-fA-F]{1,4})$/.exec(ip);
  if (v6) {
    const n = parseInt(v6[2]!, 16);
    return { block: `${v6[1]}${(n - (n % 256)).toString(16)}`, host: String(n % 256) };
  }
  return { block: ip, host: '' };
}

// Placeholders that keys.ts encodes as '%01', '%02', '%03' and nothing else does.
const PLACES = ['\u0001', '\u0002', '\u0003'] as const;

/** A Lua expression building the key `template` makes of the placeholders, from the Lua variables named. */
function luaKey(template: string, variables: string[]): string {
  const pieces = template.split(/(%0[123])/).filter((piece) => piece !== '');
  return pieces.map((piece) => (/^%0[123]$/.test(piece) ? `part(${variables[Number(piece[2]) - 1]!})` : `'${piece.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`)).join(' .. ');
}

const [one, two, three] = PLACES;
// encodeURIComponent in Lua: every byte but A–Z a–z 0–9 - _ . ! ~ * ' ( ) as %XX (UTF-8 bytes alike).
/**
 * Lua: `part(value)` as keys.ts encodes, `addressSlot(ip)` as above, `namesDigest(indexes, ipKey,
 * ipAnyKey, ip)` as the hash's 'names' begins (ip counts only with an address block), and
 * `derivedNames(f, flags)` → indexes, the address block's hash of the session's NAS and the
 * any-NAS one ('p', else '' and '') from a table of the hash's nas, nasIp, nasIdentifier, user,
 * school, ip (false when absent) and the flags. (A hash written before 'names' keeps its two
 * address names as ipKey and ipAnyKey; schema.ts layout 6 made them these two.)
 */
export const NAMES_LUA = `
local function part(value)
  return (string.gsub(value, "[^%w%-_%.!~%*'%(%)]", function(c) return string.format('%%%02X', string.byte(c)) end))
end
local function namesDigest(indexes, ipKey, ipAnyKey, ip)
  if ipKey == '' then ip = '' end
  return string.sub(redis.sha1hex(table.concat(indexes, '\\n') .. '\\n' .. ipKey .. '\\n' .. ipAnyKey .. '\\n' .. (ip or '')), 1, ${NAMES_DIGEST_LENGTH})
end
local function addressSlot(ip)
  local head, last = string.match(ip, '^(%d+%.%d+%.%d+%.)(%d+)$')
  local n = tonumber(last or '')
  if n then return head .. tostring(n - n % 64), tostring(n % 64) end
  head, last = string.match(ip, '^(.*:)(%x%x?%x?%x?)$')
  n = tonumber(last or '', 16)
  if n then return head .. string.format('%x', n - n % 256), tostring(n % 256) end
  return ip, ''
end
local function derivedNames(f, flags)
  local function has(flag) return string.find(flags, flag, 1, true) ~= nil end
  local nas = f.nas or ''
  local ap = has('a') and (f.nasIp or '') or nas
  local indexes = {${luaKey(keys.sessionsOfAp(one, two), ['nas', 'ap'])}}
  if has('n') then indexes[1] = ${luaKey(keys.sessionsOfAp(one, two, three), ['nas', 'ap', "(f.nasIdentifier or '')"])} end
  if has('u') then indexes[#indexes + 1] = ${luaKey(keys.sessionsOfUser(one), ["(f.user or '')"])} end
  if has('s') then indexes[#indexes + 1] = ${luaKey(keys.sessionsOfSchool(one), ["(f.school or '')"])} end
  if not has('p') then return indexes, '', '' end
  local block = addressSlot(f.ip or '')
  return indexes, ${luaKey(keys.sessionAddressBlock(one, two), ['nas', 'block'])}, ${luaKey(keys.sessionAddressAnyBlock(one), ['block'])}
end
`;
