-- Who probes a deployment whose open period is over: {1, 0} this replica (granted, or already its own: renewed),
-- {0, ms} another replica holds the probe for ms more, {2, ms} the breaker is still open for ms (reopened elsewhere).
-- KEYS[1] breaker key, KEYS[2] probe key; ARGV[1] replica, ARGV[2] hold ms
local open = redis.call('PTTL', KEYS[1])
if open > 0 then
  return {2, open}
end
local holder = redis.call('GET', KEYS[2])
if not holder then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return {1, 0}
end
return {0, redis.call('PTTL', KEYS[2])}
