-- Switchyard shared admission: checks and takes every subject of one request at once (docs/scaling.md).
-- KEYS: per subject, its state hash (spend, budget period, reservations per replica) and its window hash
--       (r<second>: requests, t<second>: settled tokens of that second), then this replica's open-ticket set.
-- ARGV: 1 replica id, 2 heartbeat key prefix, 3 ticket id, 4 estimated tokens, 5 estimated cost (nano-dollars),
--       6 clock offset ms (tests only; 0 otherwise), 7 check rates (1/0), 8 check budgets (1/0), 9 subject count,
--       then 8 per subject: rpm, tpm, max_parallel, max_budget (-1: none), budget amount (0: no period), budget unit,
--       seed spend, seed reset ms (-1: none).
-- Reply: {status, at ms, limit requests, remaining requests, limit tokens, remaining tokens,
--         failed subject, refusal kind, limit, used, reserved, reservations, retry ms (-1: none),
--         then per subject: spend, reset ms (-1: none), rolled (1/0)}
-- status 0: admitted; 1: refused (kind 0 budget exhausted, 1 budget reserved, 2 concurrency, 3 rpm, 4 tpm);
-- 2: this replica's heartbeat is gone (it was taken for dead; register a new generation and retry).
local rid = ARGV[1]
local hbp = ARGV[2]
local ticket = ARGV[3]
local tokens = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[6])
local sec = math.floor(now / 1000)
local rates = ARGV[7] == '1'
local budgets = ARGV[8] == '1'
local n = tonumber(ARGV[9])
local WINDOW = 60

if redis.call('EXISTS', hbp .. rid) == 0 then
  return {2}
end

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y, m, d
end

-- BudgetDuration.Next: seconds, minutes, hours, days, or calendar months (the day clamped to the month's last)
local function next_reset(ms, amount, unit)
  if unit == 's' then return ms + amount * 1000 end
  if unit == 'm' then return ms + amount * 60000 end
  if unit == 'h' then return ms + amount * 3600000 end
  if unit == 'd' then return ms + amount * 86400000 end
  local days = math.floor(ms / 86400000)
  local tod = ms - days * 86400000
  local y, m, d = civil_from_days(days)
  local total = y * 12 + (m - 1) + amount
  y = math.floor(total / 12)
  m = total - y * 12 + 1
  local ny, nm = y, m + 1
  if nm == 13 then ny, nm = y + 1, 1 end
  local dim = days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)
  if d > dim then d = dim end
  return days_from_civil(y, m, d) * 86400000 + tod
end

-- time until `needed` more units leave the window, oldest second first (SlidingWindow.UntilFits)
local function until_fits(buckets, needed)
  for age = WINDOW - 1, 0, -1 do
    local s = sec - age
    local a = buckets[s]
    if a then
      needed = needed - a
      if needed <= 0 then
        return math.max(1, (s + WINDOW) * 1000 - now)
      end
    end
  end
  return WINDOW * 1000
end

local alive = {}
local function is_alive(r)
  if r == rid then return true end
  local a = alive[r]
  if a == nil then
    a = redis.call('EXISTS', hbp .. r) == 1
    alive[r] = a
  end
  return a
end

local subjects = {}
local lr, rr, lt, rt = 0, 0, 0, 0
local refusal = nil

for i = 1, n do
  local base = 9 + (i - 1) * 8
  local sk = KEYS[2 * i - 1]
  local wk = KEYS[2 * i]
  local s = {
    sk = sk, wk = wk,
    rpm = tonumber(ARGV[base + 1]), tpm = tonumber(ARGV[base + 2]), parallel = tonumber(ARGV[base + 3]),
    max = tonumber(ARGV[base + 4]), amount = tonumber(ARGV[base + 5]), unit = ARGV[base + 6],
    rolled = 0,
  }
  subjects[i] = s

  -- state: seeded from the store's persisted spend when Redis has none (first use, or Redis lost its data)
  local h = redis.call('HGETALL', sk)
  local spent, reset = nil, nil
  local n_in, t_in, c_in = 0, 0, 0
  local dead = {}
  if #h == 0 then
    spent = tonumber(ARGV[base + 7])
    local seed_reset = tonumber(ARGV[base + 8])
    if seed_reset >= 0 then
      reset = seed_reset
      redis.call('HSET', sk, 'spent', spent, 'reset', reset)
    else
      redis.call('HSET', sk, 'spent', spent)
    end
  else
    for j = 1, #h, 2 do
      local f = h[j]
      local p = string.sub(f, 1, 2)
      if f == 'spent' then
        spent = tonumber(h[j + 1])
      elseif f == 'reset' then
        reset = tonumber(h[j + 1])
      elseif p == 'n:' or p == 't:' or p == 'c:' then
        local r = string.sub(f, 3)
        if is_alive(r) then
          local v = tonumber(h[j + 1])
          if p == 'n:' then n_in = n_in + v elseif p == 't:' then t_in = t_in + v else c_in = c_in + v end
        else
          dead[#dead + 1] = f
        end
      end
    end
    if spent == nil then
      spent = tonumber(ARGV[base + 7])
      redis.call('HSET', sk, 'spent', spent)
    end
  end
  -- reservations of replicas whose heartbeat expired (killed, partitioned) are released here
  if #dead > 0 then
    redis.call('HDEL', sk, unpack(dead))
  end

  -- the budget period rolls on the server's clock, once for every replica
  if budgets and s.max >= 0 and s.amount > 0 then
    if reset == nil then
      reset = next_reset(now, s.amount, s.unit)
      redis.call('HSET', sk, 'reset', reset)
      s.rolled = 1
    elseif now >= reset then
      local nx = reset
      while nx <= now do nx = next_reset(nx, s.amount, s.unit) end
      reset = nx
      spent = 0
      redis.call('HSET', sk, 'reset', reset, 'spent', 0)
      redis.call('HDEL', sk, 'soft')
      s.rolled = 1
    end
  end
  s.spent = spent
  s.reset = reset

  if refusal == nil then
    if budgets and s.max >= 0 then
      if spent >= s.max then
        local retry = -1
        if reset ~= nil and reset > now then retry = reset - now end
        refusal = {i, 0, s.max, spent, c_in, n_in, retry}
      elseif c_in > 0 and spent + c_in + cost > s.max then
        refusal = {i, 1, s.max, spent, c_in, n_in, 1000}
      end
    end
  end

  if refusal == nil and rates and s.parallel >= 0 and n_in >= s.parallel then
    refusal = {i, 2, s.parallel, n_in, 0, 0, 250}
  end

  if refusal == nil and rates and (s.rpm >= 0 or s.tpm >= 0) then
    local w = redis.call('HGETALL', wk)
    local rb, tb = {}, {}
    local rtotal, ttotal = 0, 0
    local stale = {}
    for j = 1, #w, 2 do
      local f = w[j]
      local bs = tonumber(string.sub(f, 2))
      local v = tonumber(w[j + 1])
      if sec - bs >= WINDOW then
        stale[#stale + 1] = f
      elseif bs <= sec then
        if string.sub(f, 1, 1) == 'r' then
          rb[bs] = v
          rtotal = rtotal + v
        else
          tb[bs] = v
          ttotal = ttotal + v
        end
      end
    end
    if #stale > 0 then
      redis.call('HDEL', wk, unpack(stale))
    end

    if s.rpm >= 0 then
      if rtotal + 1 > s.rpm and not (rtotal == 0 and 1 > s.rpm) then
        lr, rr = s.rpm, 0
        refusal = {i, 3, s.rpm, rtotal, 0, 0, until_fits(rb, rtotal + 1 - s.rpm)}
      else
        local rem = math.max(0, s.rpm - rtotal - 1)
        if lr == 0 or rem < rr then lr, rr = s.rpm, rem end
      end
    end

    if refusal == nil and s.tpm >= 0 then
      -- reservations of requests in flight count beside the settled tokens until they settle
      local total = ttotal + t_in
      if total + tokens > s.tpm and not (total == 0 and tokens > s.tpm) then
        lt, rt = s.tpm, math.max(0, s.tpm - total)
        refusal = {i, 4, s.tpm, ttotal, t_in, 0, until_fits(tb, total + tokens - s.tpm)}
      else
        local rem = math.max(0, s.tpm - total - tokens)
        if lt == 0 or rem < rt then lt, rt = s.tpm, rem end
      end
    end
  elseif refusal == nil and redis.call('HLEN', wk) > 2 * WINDOW + 4 then
    -- unlimited windows are still counted (a limit set later sees them); keep them to the window
    local w = redis.call('HGETALL', wk)
    local stale = {}
    for j = 1, #w, 2 do
      if sec - tonumber(string.sub(w[j], 2)) >= WINDOW then stale[#stale + 1] = w[j] end
    end
    if #stale > 0 then redis.call('HDEL', wk, unpack(stale)) end
  end
end

local reply
if refusal == nil then
  for i = 1, n do
    local s = subjects[i]
    redis.call('HINCRBY', s.sk, 'n:' .. rid, 1)
    if tokens ~= 0 then redis.call('HINCRBY', s.sk, 't:' .. rid, tokens) end
    if cost ~= 0 then redis.call('HINCRBY', s.sk, 'c:' .. rid, cost) end
    redis.call('HINCRBY', s.wk, 'r' .. sec, 1)
    redis.call('PEXPIRE', s.wk, (WINDOW + 2) * 1000)
  end
  redis.call('SADD', KEYS[2 * n + 1], ticket)
  reply = {0, now, lr, rr, lt, rt, 0, 0, 0, 0, 0, 0, -1}
else
  reply = {1, now, lr, rr, lt, rt, refusal[1], refusal[2], refusal[3], refusal[4], refusal[5], refusal[6], refusal[7]}
end

for i = 1, n do
  local s = subjects[i]
  reply[#reply + 1] = s.spent
  reply[#reply + 1] = s.reset or -1
  reply[#reply + 1] = s.rolled
end
return reply
