-- A replica's breaker opened: the shared open lasts ARGV[1] ms (a duration: the Redis server's TTL, no replica
-- clock), whatever probe grant was held is void, and the other replicas are told.
-- KEYS[1] breaker key, KEYS[2] probe key; ARGV[1] open ms, ARGV[2] reason, ARGV[3] channel, ARGV[4] message
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
