// The Lua behind the session table (sessions.ts, session-close.ts). Indexes are sorted sets
// scored by the session's last update: members older than the session lifetime are pruned on
// every write and skipped on every read, and each index expires with its last session.
// A session's own index keys come from its hash ('indexes', 'ipKey', 'ipAnyKey') when it is
// forgotten: one Redis or Sentinel runs this; Redis Cluster would need a hash tag per school.

// Forgetting a session announces its end on the channel given (the DNS filter's address map).
const FORGET = `
local function forget(key, id, all, channel)
  redis.call('PUBLISH', channel, cjson.encode({session = id, state = 'stop', ip = redis.call('HGET', key, 'ip') or nil}))
  local listed = redis.call('HGET', key, 'indexes')
  if listed then
    for _, set in ipairs(cjson.decode(listed)) do redis.call('ZREM', set, id) end
  end
  for _, field in ipairs({'ipKey', 'ipAnyKey'}) do
    local ipKey = redis.call('HGET', key, field)
    if ipKey and ipKey ~= '' and redis.call('GET', ipKey) == id then redis.call('DEL', ipKey) end
  end
  redis.call('ZREM', all, id)
  redis.call('DEL', key)
end
`;

// KEYS: session hash, all sessions, session log, counted octets, the session's indexes, then
// (when the record has a client address) the NAS-scoped and the any-NAS address keys, then
// (when a user is charged) the day and month usage keys, then the dashboard's hour hashes
// (stats.ts) and, with a user, their school's top-users set of the day.
// ARGV: status, now (ms), lifetime (s), log size, session id, JSON of fields, number of indexes,
// '1' when address keys follow, '1' when usage keys follow, how often (ms) an Interim-Update
// refreshes the session's index entries, the announcement channel, the hour hashes' field
// ("bytes:<role>"), the user, the number of hour hashes, '1' when a top-users set follows, and
// the hour hashes' and the top-users set's lifetimes (s). A Start, or any record that
// moves the session to another address or login, announces it; the Interim fast path does not.
// Returns the usage of the day and month after this record.
export const RECORD = `${FORGET}
local key, all, log, countedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local status, now, ttl, logMax, id = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local channel = ARGV[11]
local fields = cjson.decode(ARGV[6])
local indexes = {}
for i = 1, tonumber(ARGV[7]) do indexes[i] = KEYS[4 + i] end
local nextKey = 5 + #indexes
local ipKey, ipAnyKey = '', ''
if ARGV[8] == '1' then
  ipKey, ipAnyKey = KEYS[nextKey], KEYS[nextKey + 1]
  nextKey = nextKey + 2
end

-- Usage grows by what the NAS's running totals moved beyond what was already counted for this
-- session. The counted total outlives the session, so a session closed (Accounting-On) and
-- re-created by its next Interim-Update adds only new traffic. Layout-1 sessions have none yet:
-- their last recorded totals were counted.
local total = fields.inOctets + fields.outOctets
local counted = tonumber(redis.call('GET', countedKey) or '')
if not counted then
  counted = tonumber(redis.call('HGET', key, 'inOctets') or '0') + tonumber(redis.call('HGET', key, 'outOctets') or '0')
end
local delta = math.max(0, total - counted)
redis.call('SET', countedKey, string.format('%.0f', math.max(counted, total)), 'EX', ttl)
local usage = {'0', '0'}
if ARGV[9] == '1' then
  usage[1] = tostring(redis.call('INCRBY', KEYS[nextKey], string.format('%.0f', delta)))
  redis.call('EXPIRE', KEYS[nextKey], 3 * 86400)
  usage[2] = tostring(redis.call('INCRBY', KEYS[nextKey + 1], string.format('%.0f', delta)))
  redis.call('EXPIRE', KEYS[nextKey + 1], 40 * 86400)
end
-- The same delta, for the dashboard: the hour's bytes per role (school and region), the day's per user.
if delta > 0 then
  local statsAt = nextKey + (ARGV[9] == '1' and 2 or 0)
  local hours = tonumber(ARGV[14] or '0')
  for i = 0, hours - 1 do
    redis.call('HINCRBY', KEYS[statsAt + i], ARGV[12], string.format('%.0f', delta))
    redis.call('EXPIRE', KEYS[statsAt + i], ARGV[16])
  end
  if ARGV[15] == '1' then
    redis.call('ZINCRBY', KEYS[statsAt + hours], string.format('%.0f', delta), ARGV[13])
    redis.call('EXPIRE', KEYS[statsAt + hours], ARGV[17])
  end
end

if status == 'stop' then
  if redis.call('EXISTS', key) == 1 then
    local user = redis.call('HGET', key, 'user') or ''
    redis.call('XADD', log, 'MAXLEN', '~', logMax, '*', 'id', id, 'user', user,
      'in', fields.inOctets, 'out', fields.outOctets, 'started', redis.call('HGET', key, 'startedAt'), 'cause', fields.terminateCause or '')
    forget(key, id, all, channel)
  end
  return usage
end

local listed = cjson.encode(indexes)
-- Index entries lag their session by up to ARGV[10] ms: they are kept that much longer.
local lag = tonumber(ARGV[10])
local stale = string.format('%.0f', now - ttl * 1000 - lag)
local reindex = true
-- Interim-Update of a known session with the same login and address: only the counters move,
-- and its index entries only every few minutes (a few minutes' lag is nothing against 24 h).
-- (One HMGET and one HSET: each redis.call is a good part of an Interim's cost in Redis.)
local known = status == 'interim' and redis.call('HMGET', key, 'ipKey', 'indexes', 'indexedAt') or {}
if status == 'interim' and known[1] == ipKey and known[2] == listed then
  if fields.sessionTime then
    redis.call('HSET', key, 'inOctets', fields.inOctets, 'outOctets', fields.outOctets, 'updatedAt', now, 'sessionTime', fields.sessionTime)
  else
    redis.call('HSET', key, 'inOctets', fields.inOctets, 'outOctets', fields.outOctets, 'updatedAt', now)
  end
  reindex = now - tonumber(known[3] or '0') >= lag
else
  local before = redis.call('HGET', key, 'indexes')
  if before then
    for _, set in ipairs(cjson.decode(before)) do redis.call('ZREM', set, id) end
  end
  for name, value in pairs(fields) do redis.call('HSET', key, name, value) end
  redis.call('HSETNX', key, 'startedAt', now)
  redis.call('HSET', key, 'updatedAt', now, 'indexes', listed, 'ipKey', ipKey, 'ipAnyKey', ipAnyKey)
  if ipKey ~= '' then
    redis.call('PUBLISH', channel, cjson.encode({session = id, state = 'start', ip = fields.ip, user = fields.user, role = fields.role, school = fields.school}))
  end
end
if reindex then
  for _, set in ipairs({all, unpack(indexes)}) do
    redis.call('ZADD', set, now, id)
    redis.call('ZREMRANGEBYSCORE', set, '-inf', '(' .. stale)
    redis.call('EXPIRE', set, ttl + math.ceil(lag / 1000))
  end
  redis.call('HSET', key, 'indexedAt', now)
end
redis.call('EXPIRE', key, ttl)
if ipKey ~= '' then
  redis.call('SET', ipKey, id, 'EX', ttl)
  redis.call('SET', ipAnyKey, id, 'EX', ttl)
end
return usage
`;

// Accounting-On/Off: closes, of the sessions an index lists, those not updated since the cutoff.
// KEYS: the index, all sessions, session log, then one session hash per id.
// ARGV: cutoff (ms), terminate cause, log size, the announcement channel, then the ids (read from
// the index just before; a session updated meanwhile scores above the cutoff and is left alone).
// Returns how many live sessions were closed.
export const CLOSE_BATCH = `${FORGET}
local index, all, log = KEYS[1], KEYS[2], KEYS[3]
local cutoff, cause, logMax, channel = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]
local closed = 0
for i = 4, #KEYS do
  local key, id = KEYS[i], ARGV[i + 1]
  local score = redis.call('ZSCORE', index, id)
  if score and tonumber(score) <= cutoff then
    if redis.call('EXISTS', key) == 1 then
      redis.call('XADD', log, 'MAXLEN', '~', logMax, '*', 'id', id, 'user', redis.call('HGET', key, 'user') or '',
        'in', redis.call('HGET', key, 'inOctets') or '0', 'out', redis.call('HGET', key, 'outOctets') or '0',
        'started', redis.call('HGET', key, 'startedAt') or '', 'cause', cause)
      forget(key, id, all, channel)
      closed = closed + 1
    end
    redis.call('ZREM', index, id)
  end
end
return closed
`;

// A lock held by one owner: KEYS: the lock. ARGV: owner, then the new lifetime in ms ('0' = release).
export const LOCK_RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;
