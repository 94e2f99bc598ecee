-- The provider asked a replica to wait (Retry-After): the shared cooldown lasts at least ARGV[1] ms; others are told.
-- KEYS[1] cooldown key; ARGV[1] wait ms, ARGV[2] upstream status, ARGV[3] channel, ARGV[4] message
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
