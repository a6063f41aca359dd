// The session table's batch scripts (session-close.ts, forget-steps.ts), on the prelude of
// session-scripts.ts: each session's stored names are derived from its hash as RECORD's are.
import { FIELD } from './session-fields.js';
import { FORGET } from './session-scripts.js';

// Reads each session hash KEYS[first], … (HELD, then the fields given: from HELD's 11th on) and
// its stored names; answers them and the names not in KEYS.
const READ_HELD = `
local function readHeld(first, count, more)
  local fields = {unpack(HELD)}
  for _, field in ipairs(more) do fields[#fields + 1] = field end
  local declared, missing, stored, names = declaredKeys(), {}, {}, {}
  for i = 1, count do
    stored[i] = redis.call('HMGET', KEYS[first + i - 1], unpack(fields))
    names[i] = {heldNames(stored[i])}
    missingNames(names[i][1], names[i][2], names[i][3], declared, missing)
  end
  return stored, names, missing
end
`;

// Accounting-On/Off: closes, of the sessions an index lists, those not updated since the cutoff.
// KEYS: the index, all sessions, session log, one session hash per id, one counted-octets key per
// id, then the index sets and address hashes those sessions were stored with (as named by an
// earlier call).
// ARGV: cutoff (ms), terminate cause, log size, the announcement channel, the counted keys'
// lifetime (s), then the ids (read from the index just before; a session updated meanwhile
// scores above the cutoff and is left alone).
// Returns how many live sessions were closed, or (nothing written) the names the sessions due
// hold that are not in KEYS, for the caller to call again with them.
export const CLOSE_BATCH = `${FORGET}${READ_HELD}
local index, all, log = KEYS[1], KEYS[2], KEYS[3]
local cutoff, cause, logMax, channel, ttl = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local count = #ARGV - 5
local stored, names, missing = readHeld(4, count, {'${FIELD.inOctets}', '${FIELD.outOctets}', '${FIELD.startedAt}', '${FIELD.counted}'})
if #missing > 0 then return missing end
-- Sessions leave each sorted set in one ZREM and are deleted in one DEL: an Accounting-On storm
-- closes hundreds per call, most of them in the same AP, school and region sets.
local leaving, gone, closed = {}, {}, 0
local function leave(set, id)
  leaving[set] = leaving[set] or {}
  table.insert(leaving[set], id)
end
for i = 1, count do
  local id, held = ARGV[5 + i], stored[i]
  local score = redis.call('ZSCORE', index, id)
  if score and tonumber(score) <= cutoff then
    -- Every session RECORD wrote holds its octets.
    if held[11] then
      redis.call('XADD', log, 'MAXLEN', '~', logMax, '*', 'id', id, 'user', held[9] or '',
        'in', held[11], 'out', held[12] or '0', 'started', held[13] or '', 'cause', cause)
      redis.call('PUBLISH', channel, cjson.encode({session = id, state = 'stop', ip = held[1] or nil}))
      for _, set in ipairs(names[i][1]) do leave(set, id) end
      unlist(id, held[1], {}, names[i][2], names[i][3])
      if held[14] then redis.call('SET', KEYS[3 + count + i], held[14], 'EX', ttl) end
      leave(all, id)
      gone[#gone + 1] = KEYS[3 + i]
      closed = closed + 1
    end
    leave(index, id)
  end
end
for set, ids in pairs(leaving) do redis.call('ZREM', set, unpack(ids)) end
if #gone > 0 then redis.call('DEL', unpack(gone)) end
return closed
`;

// `user forget` (forget.ts): closes the sessions given as a Stop closes them, with no stop record
// and no counted octets kept; each address entry goes only if it still names the session, checked
// and deleted in the same call (DHCP may have given the address to another device meanwhile).
// KEYS: all sessions, one session hash per id, one counted-octets key per id, then the index sets
// and address hashes those sessions were stored with (as named by an earlier call).
// ARGV: the announcement channel, then the ids. Returns how many, or (nothing written) the names
// the sessions hold that are not in KEYS.
export const FORGET_SESSIONS = `${FORGET}${READ_HELD}
local count = #ARGV - 1
local stored, names, missing = readHeld(2, count, {})
if #missing > 0 then return missing end
for i = 1, count do
  forget(KEYS[1 + i], ARGV[1 + i], KEYS[1], ARGV[1], stored[i][1], names[i])
  redis.call('DEL', KEYS[1 + count + i])
end
return count
`;

// A lock held by one owner: KEYS: the lock. ARGV: owner, then the new lifetime in ms ('0' = release).
export const LOCK_RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;
