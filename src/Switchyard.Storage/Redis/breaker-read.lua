-- A deployment's shared state, for a replica that has just started routing to it:
-- {breaker ms left (<= 0: not open), reason, cooldown ms left, upstream status}
-- KEYS[1] breaker key, KEYS[2] cooldown key
local open = redis.call('PTTL', KEYS[1])
local reason = redis.call('GET', KEYS[1]) or ''
local cool = redis.call('PTTL', KEYS[2])
local status = redis.call('GET', KEYS[2]) or '0'
return {open, reason, cool, status}
