// The names of the index sets and the address hash a session is listed under, derived from its
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
  mac?: string | undefined;
  ip?: string | undefined;
}

export interface SessionNames {
  /** The session's index sets (its AP's, with the NAS-Identifier when sent; user, school), in this order. */
  indexes: string[];
  /** The client address's hash (keys.sessionAddress), or none. */
  address: string[];
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
  const address = entry.ip ? [keys.sessionAddress(entry.ip)] : [];
  if (entry.ip) flags += 'p';
  return { indexes, address, flags };
}

/** The hash's 'names' value for these names: the first hex digits of their SHA-1, then the flags (as NAMES_LUA's namesDigest). */
export function namesValue({ indexes, address, flags }: SessionNames): string {
  return createHash('sha1').update(`${indexes.join('\n')}\n${address[0] ?? ''}\n`).digest('hex').slice(0, NAMES_DIGEST_LENGTH) + flags;
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
 * Lua: `part(value)` as keys.ts encodes, `namesDigest(indexes, ipKey, ipAnyKey)` as the hash's
 * 'names' begins, and `derivedNames(f, flags)` → indexes, the address hash ('p'), '' from a table
 * of the hash's nas, nasIp, nasIdentifier, user, school, mac, ip (false when absent) and the flags.
 * (ipKey, ipAnyKey: the two address names a hash written before 'names' keeps; schema.ts layout 4
 * made them the address hash and ''.)
 */
export const NAMES_LUA = `
local function part(value)
  return (string.gsub(value, "[^%w%-_%.!~%*'%(%)]", function(c) return string.format('%%%02X', string.byte(c)) end))
end
local function namesDigest(indexes, ipKey, ipAnyKey)
  return string.sub(redis.sha1hex(table.concat(indexes, '\\n') .. '\\n' .. ipKey .. '\\n' .. ipAnyKey), 1, ${NAMES_DIGEST_LENGTH})
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
  return indexes, ${luaKey(keys.sessionAddress(one), ["(f.ip or '')"])}, ''
end
`;
