namespace Switchyard.Core.Config;

/// <summary>
/// State shared between replicas (docs/scaling.md). Redis comes from LiteLLM's <c>router_settings.redis_host</c> /
/// <c>redis_port</c> / <c>redis_password</c> / <c>redis_url</c> (or <c>switchyard.shared.redis_url</c>); what LiteLLM
/// has no key for lives under <c>switchyard.shared</c>. With no Redis everything stays in process, as before.
/// </summary>
public sealed record SharedStateSettings
{
    /// <summary>The Redis server as a URL (<c>redis://[:password@]host:port[/db]</c>, <c>rediss://</c> for TLS); null: no Redis.</summary>
    public string? RedisUrl { get; init; }

    /// <summary>Prefix of every key Switchyard writes to Redis, so several gateways (or other apps) can share one server.</summary>
    public string KeyPrefix { get; init; } = "switchyard:";

    /// <summary>switchyard.shared.on_redis_failure: what admission does while Redis is down or slow.</summary>
    public RedisFailurePolicy OnRedisFailure { get; init; } = RedisFailurePolicy.FailClosed;

    /// <summary>
    /// switchyard.shared.replicas: how many replicas share the limits; with <see cref="RedisFailurePolicy.FailOpen"/>
    /// each replica enforces limits divided by this while Redis is unreachable.
    /// </summary>
    public int Replicas { get; init; } = 1;

    /// <summary>switchyard.shared.state includes limits: rpm, tpm, concurrency of keys, tenants, tenant aliases and deployments.</summary>
    public bool Limits { get; init; } = true;

    /// <summary>switchyard.shared.state includes budgets: spend against max_budget, shared by every replica.</summary>
    public bool Budgets { get; init; } = true;

    /// <summary>switchyard.shared.state includes breakers (opt-in): breaker state, cooldowns and one half-open prober.</summary>
    public bool Breakers { get; init; }

    /// <summary>switchyard.shared.timeout: a Redis call slower than this counts as a failure.</summary>
    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// switchyard.shared.replica_ttl: a replica that stops renewing its heartbeat for this long (killed, partitioned) has
    /// its in-flight reservations released by the others.
    /// </summary>
    public TimeSpan ReplicaTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// switchyard.shared.key_refresh: the longest a key created, revoked or rotated on another replica takes to be
    /// honoured here (keys and tenants are re-read from the shared store at least this often).
    /// </summary>
    public TimeSpan KeyRefresh { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether Redis is configured at all.</summary>
    public bool UsesRedis => RedisUrl is not null;
}

/// <summary>What admission does while Redis is unreachable.</summary>
public enum RedisFailurePolicy
{
    /// <summary>Refuse limited requests with a typed 503 (<c>shared_state_unavailable</c>); the master key is never limited.</summary>
    FailClosed,

    /// <summary>Admit against this replica's own counters with every limit divided by <see cref="SharedStateSettings.Replicas"/>.</summary>
    FailOpen,
}
