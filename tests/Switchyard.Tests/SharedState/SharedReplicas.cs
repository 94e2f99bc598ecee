using Switchyard.Core.Admission;
using Switchyard.Core.Admission.Shared;
using Switchyard.Core.Config;
using Switchyard.Core.Tenancy;
using Switchyard.Storage.Redis;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// Several admission controllers, each with its own in-process counters and replica id, sharing one Redis under a
/// key prefix of their own: what several gateway processes are to each other, inside one test.
/// </summary>
internal sealed class SharedReplicas : IAsyncDisposable
{
    private SharedReplicas(SharedStateSettings settings, Replica[] replicas)
    {
        Settings = settings;
        All = replicas;
    }

    public SharedStateSettings Settings { get; }

    public Replica[] All { get; }

    public Replica this[int i] => All[i];

    public static async Task<SharedReplicas> StartAsync(RedisServer redis, int count, RedisFailurePolicy policy = RedisFailurePolicy.FailClosed, TimeSpan? ttl = null)
    {
        var settings = new SharedStateSettings
        {
            RedisUrl = redis.Url,
            KeyPrefix = $"t{Guid.NewGuid():N}:",
            OnRedisFailure = policy,
            Replicas = count,
            ReplicaTtl = ttl ?? TimeSpan.FromSeconds(15),
            RedisTimeout = TimeSpan.FromSeconds(2), // generous: two cores shared by many builds; the breaker tests stop Redis instead
        };
        var replicas = new Replica[count];
        for (var i = 0; i < count; i++)
        {
            var shared = await RedisSharedAdmission.ConnectAsync(settings, TimeProvider.System, $"replica-{i}");
            var breaker = new SharedStateBreaker(TimeProvider.System, settings.RedisTimeout, failureThreshold: 3, cooldown: TimeSpan.FromMilliseconds(200));
            replicas[i] = new Replica(new AdmissionController(TimeProvider.System, shared, settings, breaker), shared);
        }

        // every replica's heartbeat is registered before the first admission
        foreach (var r in replicas)
        {
            await GatewayApi.WaitUntilAsync(() => r.Shared.Connection.GetDatabase().KeyExists(r.Shared.Replica.HeartbeatPrefix + r.Shared.Replica.Id), "heartbeat of " + r.Shared.Replica.Id);
        }

        return new SharedReplicas(settings, replicas);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var r in All)
        {
            await r.Shared.DisposeAsync();
        }
    }

    /// <summary>One replica: its controller and its own in-process subjects (same kind and id on every replica).</summary>
    internal sealed class Replica(AdmissionController admission, RedisSharedAdmission shared)
    {
        private readonly Dictionary<string, LimitState> _states = new(StringComparer.Ordinal);

        public AdmissionController Admission { get; } = admission;

        public RedisSharedAdmission Shared { get; } = shared;

        /// <summary>This replica's in-process state of a subject, created on first use with <paramref name="limits"/>.</summary>
        public LimitState State(string kind, string id, Limits limits, long spentNanos = 0, DateTimeOffset? resetAt = null)
        {
            lock (_states)
            {
                if (!_states.TryGetValue(kind + "/" + id, out var s))
                {
                    _states[kind + "/" + id] = s = new LimitState(kind, id, limits, spentNanos, resetAt);
                }

                return s;
            }
        }

        public async Task<(AdmissionTicket Ticket, AdmissionRejection? Rejection)> AdmitAsync(LimitState? key, LimitState? tenant, LimitState? alias, long tokens, long cost)
        {
            var outcome = await Admission.AdmitAsync(key, tenant, alias, tokens, cost);
            return (outcome.Ticket, outcome.Rejection);
        }

        public async Task<(AdmissionTicket Ticket, AdmissionRejection? Rejection)> AdmitAsync(LimitState? key, LimitState? tenant, LimitState? alias, LimitState? user, long tokens, long cost)
        {
            var outcome = await Admission.AdmitAsync(key, tenant, alias, user, tokens, cost);
            return (outcome.Ticket, outcome.Rejection);
        }
    }
}
