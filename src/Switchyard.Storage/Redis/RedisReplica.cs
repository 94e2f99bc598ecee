using StackExchange.Redis;

namespace Switchyard.Storage.Redis;

/// <summary>
/// This replica's identity in Redis: an id with a generation, and a heartbeat key (TTL <c>replica_ttl</c>, renewed
/// every third of it). Reservations are held under the id; once its heartbeat is gone (the process was killed or cut
/// off), the other replicas release them. A replica that finds its own heartbeat gone (it was taken for dead) starts a
/// new generation rather than revive the old id, so reservations already released are never counted twice.
/// </summary>
public sealed class RedisReplica : IAsyncDisposable
{
    /// <summary>How long the set of a generation's open tickets outlives its last heartbeat (settlements replayed late still count once).</summary>
    private static readonly TimeSpan OpenTicketsRetention = TimeSpan.FromHours(24);

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly string _baseId;
    private readonly TimeSpan _ttl;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ITimer _timer;
    private string _id;
    private int _generation;
    private int _stopped;

    public RedisReplica(IConnectionMultiplexer redis, string prefix, string baseId, TimeSpan ttl, TimeProvider time)
    {
        _redis = redis;
        _prefix = prefix;
        _baseId = baseId;
        _ttl = ttl;
        _generation = 1;
        _id = $"{baseId}/1";
        _timer = time.CreateTimer(_ => _ = BeatAsync(), null, TimeSpan.Zero, ttl / 3);
    }

    /// <summary>The current id (base id and generation).</summary>
    public string Id => Volatile.Read(ref _id);

    public int Generation => Volatile.Read(ref _generation);

    /// <summary>The heartbeat key prefix (a replica id appended makes its key).</summary>
    public string HeartbeatPrefix => _prefix + "replica:";

    /// <summary>The key of the set of open (admitted, not settled) tickets of a replica id.</summary>
    public RedisKey OpenTickets(string id) => _prefix + "open:" + id;

    /// <summary>A heartbeat renewal failed (Redis unreachable); the replica keeps trying every third of the TTL.</summary>
    public event Action<Exception>? HeartbeatFailed;

    /// <summary>A new generation started (the old id was taken for dead): old id, new id.</summary>
    public event Action<string, string>? GenerationStarted;

    /// <summary>Renews the heartbeat, or starts a new generation when the current one's lapsed.</summary>
    public async Task BeatAsync()
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return;
        }

        try
        {
            var id = Id;
            var db = _redis.GetDatabase();
            var renewed = await db.StringSetAsync(HeartbeatPrefix + id, "alive", _ttl, When.Exists).ConfigureAwait(false);
            if (!renewed)
            {
                await RenewGenerationAsync(id).ConfigureAwait(false);
                return;
            }

            _ = db.KeyExpireAsync(OpenTickets(id), OpenTicketsRetention, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            HeartbeatFailed?.Invoke(e);
        }
    }

    /// <summary>
    /// Called when Redis says <paramref name="lapsed"/> has no heartbeat: the first caller registers a new generation
    /// (the very first registration, at start, counts as one too); later callers find it done.
    /// </summary>
    public async Task RenewGenerationAsync(string lapsed)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Id != lapsed)
            {
                return;
            }

            var db = _redis.GetDatabase();

            // Generation 1 never registered (Redis was down at start) is not dead yet: register it as it is.
            var fresh = _generation == 1 && !await db.KeyExistsAsync(OpenTickets(lapsed)).ConfigureAwait(false);
            var next = fresh ? lapsed : $"{_baseId}/{_generation + 1}";
            await db.StringSetAsync(HeartbeatPrefix + next, "alive", _ttl, When.NotExists).ConfigureAwait(false);
            if (!fresh)
            {
                _generation++;
                Volatile.Write(ref _id, next);
                GenerationStarted?.Invoke(lapsed, next);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops renewing the heartbeat without removing it: what a killed process looks like to the others (tests).</summary>
    public void StopHeartbeat()
    {
        Volatile.Write(ref _stopped, 1);
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the heartbeat and removes it, so whatever this replica still holds is released at once.</summary>
    public async ValueTask DisposeAsync()
    {
        var crashed = Volatile.Read(ref _stopped) != 0;
        StopHeartbeat();
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (!crashed)
        {
            try
            {
                await _redis.GetDatabase().KeyDeleteAsync(HeartbeatPrefix + Id).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                HeartbeatFailed?.Invoke(e);
            }
        }

        _gate.Dispose();
    }
}
