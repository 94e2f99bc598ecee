-- Switchyard shared settlement: replaces one ticket's reservations by what it used (docs/scaling.md).
-- KEYS: per subject its state hash and window hash (as in admit.lua), then the replica's open-ticket set.
-- ARGV: 1 replica id, 2 ticket id, 3 admitted at (ms, server clock), 4 reserved tokens, 5 reserved cost,
--       6 actual tokens, 7 actual cost, 8 clock offset ms (tests only), 9 subject count,
--       then per subject: soft budget (nano-dollars, -1: none).
-- Reply: {applied (1/0), then per subject: spend (-1: unknown), soft budget reached first by this settlement (1/0)}
-- A ticket settles once: a replayed settlement (after a timeout that did run) finds it gone and changes nothing.
local rid = ARGV[1]
local n = tonumber(ARGV[9])
if redis.call('SREM', KEYS[2 * n + 1], ARGV[2]) == 0 then
  return {0}
end

local at = tonumber(ARGV[3])
local rtok = tonumber(ARGV[4])
local rcost = tonumber(ARGV[5])
local atok = tonumber(ARGV[6])
local acost = tonumber(ARGV[7])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[8])
local sec = math.floor(now / 1000)
local atsec = math.floor(at / 1000)
local WINDOW = 60

local reply = {1}
for i = 1, n do
  local sk = KEYS[2 * i - 1]
  local wk = KEYS[2 * i]
  -- the hold is gone when this replica was taken for dead and swept: then only the usage is recorded
  if redis.call('HEXISTS', sk, 'n:' .. rid) == 1 then
    if redis.call('HINCRBY', sk, 'n:' .. rid, -1) <= 0 then
      redis.call('HDEL', sk, 'n:' .. rid, 't:' .. rid, 'c:' .. rid)
    else
      if rtok ~= 0 then redis.call('HINCRBY', sk, 't:' .. rid, -rtok) end
      if rcost ~= 0 then redis.call('HINCRBY', sk, 'c:' .. rid, -rcost) end
    end
  end

  local spent = -1
  if redis.call('HEXISTS', sk, 'spent') == 1 then
    spent = redis.call('HINCRBY', sk, 'spent', acost)
  end

  if atok > 0 and sec - atsec < WINDOW then
    redis.call('HINCRBY', wk, 't' .. atsec, atok)
    redis.call('PEXPIRE', wk, (WINDOW + 2) * 1000)
  end

  local soft = tonumber(ARGV[9 + i])
  local reached = 0
  if soft >= 0 and spent >= soft and redis.call('HSETNX', sk, 'soft', 1) == 1 then
    reached = 1
  end
  reply[#reply + 1] = spent
  reply[#reply + 1] = reached
end
return reply
