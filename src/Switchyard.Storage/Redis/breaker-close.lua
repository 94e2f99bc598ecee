-- A replica's probes succeeded: the breaker is closed for every replica, and the probe grant is released.
-- KEYS[1] breaker key, KEYS[2] probe key; ARGV[1] channel, ARGV[2] message
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
