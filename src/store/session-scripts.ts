// The Lua behind the session table (sessions.ts, session-close.ts). Indexes are sorted sets
// scored by the session's last update: members older than the session lifetime are pruned on
// every write and skipped on every read, and each index expires with its last session.
// Every key a script touches is in its KEYS (Redis Cluster routes a script by them). A session
// leaves the index sets and address hashes it was stored with (derived from its hash's own fields,
// session-names.ts) when it moves or ends; the caller passes those names too, and a script that
// finds a stored name it was not given writes nothing and answers with the names, for the caller
// to call again with them (docs/scale.md).
import { FIELD } from './session-fields.js';
import { NAMES_DIGEST_LENGTH, NAMES_LUA } from './session-names.js';

/** What RECORD answers, before anything is written, when the session holds names not in KEYS. */
export const RETRY = 'retry';
/** What RECORD answers, writing nothing, when the person the record names was forgotten (forget.ts). */
export const FORGOTTEN = 'forgotten';
/** Calls with the names a script asked for before the record is given up (SessionNamesChanged). */
export const NAME_ATTEMPTS = 3;

/** The stored names kept changing between the calls: the record is not written (the NAS resends it). */
export class SessionNamesChanged extends Error {
  constructor(session: string) {
    super(`session ${session}: its stored index names changed on every one of ${NAME_ATTEMPTS} attempts`);
    this.name = 'SessionNamesChanged';
  }
}

/** Calls a session script with the names asked for so far (none at first) until `asked` finds none in its reply. */
export async function withStoredNames<T>(subject: string, call: (held: string[], again: boolean) => Promise<T>, asked: (reply: T) => string[] | undefined): Promise<T> {
  let held: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const reply = await call(held, attempt > 1);
    const names = asked(reply);
    if (!names) return reply;
    if (attempt === NAME_ATTEMPTS) throw new SessionNamesChanged(subject);
    held = [...new Set([...held, ...names])];
  }
}

/** The key names in a session's stored 'indexes' (JSON), 'ipKey' and 'ipAnyKey' values. */
export function storedNames(indexes: string | null | undefined, ipKey: string | null | undefined, ipAnyKey: string | null | undefined): string[] {
  return [...(indexes ? (JSON.parse(indexes) as string[]) : []), ...[ipKey, ipAnyKey].filter((name): name is string => !!name)];
}

// HELD: the hash fields a script reads to know a session's stored names (heldNames) and address.
// Forgetting a session announces its end on the channel given (the DNS filter's address map).
export const FORGET = `${NAMES_LUA}
local HELD = {'${FIELD.ip}', 'indexes', 'ipKey', 'ipAnyKey', '${FIELD.names}', '${FIELD.nas}', '${FIELD.nasIp}', '${FIELD.nasIdentifier}', '${FIELD.user}', '${FIELD.school}'}
-- The index sets and address hashes a session was stored with, from an HMGET of HELD: the names
-- themselves in a hash written before 'names' was (its 'indexes' JSON, 'ipKey', 'ipAnyKey'), else
-- derived again from the fields and flags its 'names' was written with.
local function heldNames(v)
  if v[2] then return cjson.decode(v[2]), v[3] or '', v[4] or '' end
  if not v[5] then return {}, '', '' end
  local f = {nas = v[6], nasIp = v[7], nasIdentifier = v[8], user = v[9], school = v[10], ip = v[1]}
  return derivedNames(f, string.sub(v[5], ${NAMES_DIGEST_LENGTH + 1}))
end
local function declaredKeys()
  local declared = {}
  for _, name in ipairs(KEYS) do declared[name] = true end
  return declared
end
-- Adds to \`missing\` each of the names given that is not in KEYS (\`declared\`), once.
local function missingNames(indexes, ipKey, ipAnyKey, declared, missing)
  local names = {unpack(indexes)}
  names[#names + 1] = ipKey
  names[#names + 1] = ipAnyKey
  for _, name in ipairs(names) do
    if name ~= '' and not declared[name] then
      declared[name] = true
      missing[#missing + 1] = name
    end
  end
  return missing
end
-- What an address block's hash names the session by: the any-NAS one its id, its NAS's one (the
-- key names the NAS) the id after '<NAS>|' (~13 B less per live session).
local function listedAs(id, anyNas)
  if anyNas then return id end
  return string.match(id, '^[^|]*|(.*)$')
end
-- The session leaves an address it was listed under, unless another session took the address
-- meanwhile: the address's field ('<host>') of a block hash (its NAS's, or the any-NAS one),
-- checked and deleted in this call (Redis drops an emptied hash). When it was the any-NAS answer,
-- nobody is until another session reports the address, as when that answer was a key of its own.
local function leaveAddress(name, ip, id, anyNas)
  if name == '' or not ip then return end
  local host = select(2, addressSlot(ip))
  if redis.call('HGET', name, host) == listedAs(id, anyNas) then redis.call('HDEL', name, host) end
end
-- Takes the session (at address ip) out of its index sets and, where they still name it, its addresses.
local function unlist(id, ip, indexes, ipKey, ipAnyKey)
  for _, set in ipairs(indexes) do redis.call('ZREM', set, id) end
  leaveAddress(ipKey, ip, id, false)
  leaveAddress(ipAnyKey, ip, id, true)
end
-- The counted total (from the hash, when it holds one) outlives the session in its own key, so a
-- record re-sent after the end adds nothing.
local function forget(key, id, all, channel, ip, names, countedKey, counted, ttl)
  redis.call('PUBLISH', channel, cjson.encode({session = id, state = 'stop', ip = ip or nil}))
  unlist(id, ip, unpack(names))
  if counted then redis.call('SET', countedKey, counted, 'EX', ttl) end
  redis.call('ZREM', all, id)
  redis.call('DEL', key)
end
`;

// KEYS: session hash, all sessions, session log, counted octets (after the session), the session's indexes, then
// (when the record has a client address) its address block's hashes, its NAS's and the any-NAS one, then (with
// a NAS-Identifier) the AP's set of NAS-Identifier index names, then
// (when a user is charged) the day and month usage keys, then the dashboard's hour hashes
// (stats.ts) and, with a user, their school's top-users set of the day, then the forgotten markers
// of the person and device the record names (keys.forgotten); then any names the session was
// stored with that are not among these (after a RETRY).
// ARGV: status, now (ms), lifetime (s), log size, session id, JSON of fields, number of indexes,
// '1' when the address hashes follow, '1' when usage keys follow, how often (ms) an Interim-Update
// refreshes the session's index entries, the announcement channel, the hour hashes' field
// ("bytes:<role>"), the user, the number of hour hashes, '1' when a top-users set follows, the
// hour hashes' and the top-users set's lifetimes (s), then the in and out octets and the session
// time ('' when not sent) apart from the JSON, which an Interim-Update leaves out ('') until asked,
// then the position in KEYS of the first forgotten marker and how many there are, then the
// flags of the record's names (session-names.ts), kept in the hash's 'names' after their digest,
// '1' when the AP's NAS-Identifier sets follow the address hashes, and the client address ('' when none).
// A Start, or any record that moves the session to another address or login, announces it; the
// Interim fast path does not, and writes only the hash and the counters: the session's lifetime
// (hash, address hashes) is renewed with its index entries, each time for that much longer. Returns the usage of the day and month after this record, or
// RETRY and the session's stored index names (JSON) and its two address hashes when some are not in
// KEYS, or
// FORGOTTEN when a marker exists: checked only off the fast path, since forgetting deletes the
// session (an Interim-Update of a session as stored pays nothing for it).
export const RECORD = `${FORGET}
local key, all, log, countedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local status, now, ttl, logMax, id = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local channel = ARGV[11]
local indexes = {}
for i = 1, tonumber(ARGV[7]) do indexes[i] = KEYS[4 + i] end
local nextKey = 5 + #indexes
local ipKey, ipAnyKey = '', ''
if ARGV[8] == '1' then
  ipKey, ipAnyKey = KEYS[nextKey], KEYS[nextKey + 1]
  nextKey = nextKey + 2
end
local identifiers
if ARGV[24] == '1' then
  identifiers = KEYS[nextKey]
  nextKey = nextKey + 1
end

-- The names the session was stored with: the same as this record's (the common case: the
-- digest in its 'names' matches, nothing more to read), or each passed in KEYS; else nothing is
-- written and the caller asks again with them.
local ip = ARGV[25] or ''
local digest = namesDigest(indexes, ipKey, ipAnyKey, ip)
local stored = redis.call('HMGET', key, '${FIELD.ip}', 'indexes', 'ipKey', 'ipAnyKey', '${FIELD.updatedAt}', '${FIELD.counted}', '${FIELD.names}')
local same
if stored[2] then
  same = stored[2] == cjson.encode(indexes) and (stored[3] or '') == ipKey and (stored[4] or '') == ipAnyKey and (ipKey == '' or stored[1] == ip)
else
  same = stored[7] ~= false and string.sub(stored[7], 1, ${NAMES_DIGEST_LENGTH}) == digest
end
local fast = status == 'interim' and same
local held = {indexes, ipKey, ipAnyKey}
if not same then
  if stored[2] then
    held = {cjson.decode(stored[2]), stored[3] or '', stored[4] or ''}
  elseif stored[7] then
    held = {heldNames(redis.call('HMGET', key, unpack(HELD)))}
  else
    held = {{}, '', ''}
  end
  local missing = #missingNames(held[1], held[2], held[3], declaredKeys(), {}) > 0
  -- Names derived again that are not what was stored (a damaged hash): never writable.
  if not missing and stored[7] and not stored[2] then missing = namesDigest(held[1], held[2], held[3], stored[1]) ~= string.sub(stored[7], 1, ${NAMES_DIGEST_LENGTH}) end
  if missing or ARGV[6] == '' then
    return {'${RETRY}', stored[2] or (stored[7] and cjson.encode(held[1])) or '', held[2], held[3]}
  end
elseif not fast and ARGV[6] == '' then
  return {'${RETRY}', '', '', ''}
end
if not fast then
  local first = tonumber(ARGV[21])
  for i = first, first + tonumber(ARGV[22]) - 1 do
    if redis.call('EXISTS', KEYS[i]) == 1 then return {'${FORGOTTEN}'} end
  end
end

-- Usage grows by what the NAS's running totals moved beyond what was already counted for this
-- session: kept in its hash while it lives, then in its own key, so a session closed
-- (Accounting-On) and re-created by its next Interim-Update adds only new traffic. Sessions
-- written before the hash held it have the key; layout-1 sessions neither: their last recorded
-- totals were counted.
local inOctets, outOctets = tonumber(ARGV[18]), tonumber(ARGV[19])
local total = inOctets + outOctets
local counted = tonumber(stored[6] or redis.call('GET', countedKey) or '')
if not counted then
  counted = tonumber(redis.call('HGET', key, '${FIELD.inOctets}') or '0') + tonumber(redis.call('HGET', key, '${FIELD.outOctets}') or '0')
end
local delta = math.max(0, total - counted)
local added = string.format('%.0f', delta)
local countedNow = string.format('%.0f', math.max(counted, total))
-- Counters get their lifetime when created (the increment equals the total): an EXPIRE on every
-- record would be a write, and a line in the append-only file, for nothing.
local function add(command, counter, lifetime, ...)
  local value = redis.call(command, counter, ...)
  if tonumber(value) == delta then redis.call('EXPIRE', counter, lifetime) end
  return value
end
local usage = {'0', '0'}
if ARGV[9] == '1' then
  for i = 1, 2 do
    local counter = KEYS[nextKey + i - 1]
    if delta > 0 then
      usage[i] = tostring(add('INCRBY', counter, i == 1 and 3 * 86400 or 40 * 86400, added))
    else
      usage[i] = redis.call('GET', counter) or '0'
    end
  end
end
-- The same delta, for the dashboard: the hour's bytes per role (school and region), the day's per user.
if delta > 0 then
  local statsAt = nextKey + (ARGV[9] == '1' and 2 or 0)
  local hours = tonumber(ARGV[14] or '0')
  for i = 0, hours - 1 do add('HINCRBY', KEYS[statsAt + i], ARGV[16], ARGV[12], added) end
  if ARGV[15] == '1' then add('ZINCRBY', KEYS[statsAt + hours], ARGV[17], added, ARGV[13]) end
end

if status == 'stop' then
  if redis.call('EXISTS', key) == 1 then
    local cause = cjson.decode(ARGV[6])['${FIELD.terminateCause}'] or ''
    local user, startedAt = unpack(redis.call('HMGET', key, '${FIELD.user}', '${FIELD.startedAt}'))
    redis.call('XADD', log, 'MAXLEN', '~', logMax, '*', 'id', id, 'user', user or '',
      'in', ARGV[18], 'out', ARGV[19], 'started', startedAt, 'cause', cause)
    forget(key, id, all, channel, stored[1], held, countedKey, countedNow, ttl)
  else
    redis.call('SET', countedKey, countedNow, 'EX', ttl)
  end
  return usage
end

-- Index entries lag their session by up to ARGV[10] ms: they are kept that much longer.
local lag = tonumber(ARGV[10])
local stale = string.format('%.0f', now - ttl * 1000 - lag)
local reindex = true
-- Interim-Update of a known session with the same login and address: only the counters move,
-- and its index entries only with the first record of each lag-long window of the clock (a few
-- minutes' lag is nothing against 24 h; the hash keeps no time of its own for it).
-- (One HMGET and one HSET: each redis.call is a good part of an Interim's cost in Redis.)
if fast then
  if ARGV[20] ~= '' then
    redis.call('HSET', key, '${FIELD.inOctets}', ARGV[18], '${FIELD.outOctets}', ARGV[19], '${FIELD.updatedAt}', now, '${FIELD.counted}', countedNow, '${FIELD.sessionTime}', ARGV[20])
  else
    redis.call('HSET', key, '${FIELD.inOctets}', ARGV[18], '${FIELD.outOctets}', ARGV[19], '${FIELD.updatedAt}', now, '${FIELD.counted}', countedNow)
  end
  reindex = lag <= 0 or math.floor(now / lag) ~= math.floor(tonumber(stored[5] or '0') / lag)
else
  local fields = cjson.decode(ARGV[6])
  for _, set in ipairs(held[1]) do redis.call('ZREM', set, id) end
  -- A moved session's old address goes (whoever gets that address next is not this person),
  -- unless another session took the address meanwhile.
  local listed = {indexes, ipKey, ipAnyKey}
  for i = 2, 3 do
    if held[i] ~= listed[i] or stored[1] ~= ip then leaveAddress(held[i], stored[1], id, i == 3) end
  end
  for name, value in pairs(fields) do redis.call('HSET', key, name, value) end
  redis.call('HSETNX', key, '${FIELD.startedAt}', now)
  redis.call('HSET', key, '${FIELD.updatedAt}', now, '${FIELD.counted}', countedNow, '${FIELD.names}', digest .. (ARGV[23] or ''))
  if stored[2] then redis.call('HDEL', key, 'indexes', 'ipKey', 'ipAnyKey', 'indexedAt') end
  if ipKey ~= '' then
    redis.call('PUBLISH', channel, cjson.encode({session = id, state = 'start', ip = fields['${FIELD.ip}'], user = fields['${FIELD.user}'], role = fields['${FIELD.role}'], school = fields['${FIELD.school}']}))
  end
end
if reindex then
  local lifetime = ttl + math.ceil(lag / 1000)
  for _, set in ipairs({all, unpack(indexes)}) do
    redis.call('ZADD', set, now, id)
    redis.call('ZREMRANGEBYSCORE', set, '-inf', '(' .. stale)
    redis.call('EXPIRE', set, lifetime)
  end
  if identifiers then
    redis.call('SADD', identifiers, indexes[1])
    redis.call('EXPIRE', identifiers, lifetime)
  end
  redis.call('EXPIRE', key, lifetime)
  -- The address block's hashes (its NAS's; the any-NAS one, which the last to report the address
  -- takes) live as long as their last writer. A field of a session that expired stays until the
  -- next session of that address takes it, so each holds at most a field per address of its
  -- block: 64 (a listpack) however many schools share the range; readers check the session's
  -- own address.
  if ipKey ~= '' then
    local host = select(2, addressSlot(ip))
    for i, name in ipairs({ipKey, ipAnyKey}) do
      local value = listedAs(id, i == 2)
      if redis.call('HGET', name, host) ~= value then redis.call('HSET', name, host, value) end
      redis.call('EXPIRE', name, lifetime)
    end
  end
end
return usage
`;
