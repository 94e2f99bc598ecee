using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;
using Switchyard.Core.Config;
using Switchyard.Core.Resilience;

namespace Switchyard.Storage.Redis;

/// <summary>
/// Shared breakers in Redis (switchyard.shared.state: [breakers]). An open is <c>SET {prefix}breaker:{id} PX
/// &lt;open ms&gt;</c> and a PUBLISH on <c>{prefix}breakers</c>; the other replicas apply it with the time left. A close
/// deletes the key and is published the same way; a cooldown (Retry-After) is <c>{prefix}breaker:{id}:cool</c>. Once an
/// open period ends, <c>{prefix}breaker:{id}:probe</c> (set if absent, with a TTL) names the one replica that probes.
/// Every key carries a duration, never a timestamp, so replica clocks do not matter. Nothing waits on Redis on the
/// request path; a call that fails is counted and the replica's own breakers decide until Redis answers again.
/// </summary>
public sealed class RedisBreakerCoordinator : IBreakerCoordinator, IAsyncDisposable
{
    private static readonly string OpenScript = RedisScripts.Load("breaker-open.lua");
    private static readonly string CloseScript = RedisScripts.Load("breaker-close.lua");
    private static readonly string CoolScript = RedisScripts.Load("breaker-cool.lua");
    private static readonly string ProbeScript = RedisScripts.Load("breaker-probe.lua");
    private static readonly string ReadScript = RedisScripts.Load("breaker-read.lua");

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly string _prefix;
    private readonly RedisChannel _channel;
    private readonly ConcurrentDictionary<string, byte> _tracked = new(StringComparer.Ordinal);
    private long _failures;
    private readonly Lock _availability = new(); // up/down transitions and the failure count change together
    private int _available = 1;
    private int _subscribed;

    public RedisBreakerCoordinator(IConnectionMultiplexer redis, SharedStateSettings settings, string? replicaId = null, bool ownsConnection = false)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(settings);
        _redis = redis;
        _ownsConnection = ownsConnection;
        _prefix = settings.KeyPrefix;
        _channel = RedisChannel.Literal(settings.KeyPrefix + "breakers");
        Replica = replicaId ?? Guid.NewGuid().ToString("N");
        _redis.ConnectionRestored += OnRestored;
        _ = SubscribeAsync();
    }

    /// <summary>Connects (without waiting for Redis to be up: it reconnects in the background) and subscribes.</summary>
    public static RedisBreakerCoordinator Connect(SharedStateSettings settings, string? replicaId = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = RedisUrl.ToOptions(settings.RedisUrl ?? throw new ArgumentException("no Redis URL", nameof(settings)), settings.RedisTimeout);
        return new RedisBreakerCoordinator(ConnectionMultiplexer.Connect(options), settings, replicaId, ownsConnection: true);
    }

    /// <summary>This replica's name in the probe grant and on the channel (its own messages are not applied again).</summary>
    public string Replica { get; }

    public TimeSpan ProbeStep { get; init; } = TimeSpan.FromMilliseconds(250);

    public bool IsAvailable => Volatile.Read(ref _available) == 1 && _redis.IsConnected;

    /// <summary>Calls to Redis for breakers that failed (errors and timeouts), since start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public IConnectionMultiplexer Connection => _redis;

    public event Action<SharedBreakerEvent>? Received;

    /// <summary>A call to Redis failed (the reason, for logs and metrics).</summary>
    public event Action<string>? Failed;

    /// <summary>Redis stopped answering (false) or answers again (true); breakers are per replica meanwhile.</summary>
    public event Action<bool>? AvailabilityChanged;

    /// <summary>The key of a deployment's shared open (its TTL is the time left open).</summary>
    public string BreakerKey(string deploymentId) => $"{_prefix}breaker:{deploymentId}";

    public void Opened(string deploymentId, TimeSpan openFor, string reason)
    {
        var ms = Milliseconds(openFor);
        _ = RunAsync(OpenScript, [BreakerKey(deploymentId), BreakerKey(deploymentId) + ":probe"],
            [ms, reason, _channel.ToString(), Message('o', deploymentId, ms, 0, reason)]);
    }

    public void Closed(string deploymentId, string reason)
        => _ = RunAsync(CloseScript, [BreakerKey(deploymentId), BreakerKey(deploymentId) + ":probe"],
            [_channel.ToString(), Message('c', deploymentId, 0, 0, reason)]);

    public void CooledDown(string deploymentId, TimeSpan wait, int upstreamStatus)
    {
        var ms = Milliseconds(wait);
        _ = RunAsync(CoolScript, [BreakerKey(deploymentId) + ":cool"],
            [ms, upstreamStatus, _channel.ToString(), Message('w', deploymentId, ms, upstreamStatus, "")]);
    }

    public async Task<ProbeAnswer> RequestProbeAsync(string deploymentId, TimeSpan hold)
    {
        var reply = await RunAsync(ProbeScript, [BreakerKey(deploymentId), BreakerKey(deploymentId) + ":probe"], [Replica, Milliseconds(hold)]).ConfigureAwait(false);
        if (reply is null)
        {
            return new ProbeAnswer(ProbeVerdict.Local, TimeSpan.Zero);
        }

        var parts = (long[])reply!;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, parts[1]));
        return parts[0] switch
        {
            1 => new ProbeAnswer(ProbeVerdict.Granted, TimeSpan.Zero),
            2 => new ProbeAnswer(ProbeVerdict.Open, wait),
            _ => new ProbeAnswer(ProbeVerdict.Held, wait),
        };
    }

    public void Track(string deploymentId)
    {
        _tracked.TryAdd(deploymentId, 0);
        _ = ReadAsync(deploymentId);
    }

    public async ValueTask DisposeAsync()
    {
        _redis.ConnectionRestored -= OnRestored;
        if (Interlocked.Exchange(ref _subscribed, 0) == 1)
        {
            try
            {
                await _redis.GetSubscriber().UnsubscribeAsync(_channel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // going away anyway
            }
        }

        if (_ownsConnection)
        {
            await _redis.CloseAsync().ConfigureAwait(false);
            _redis.Dispose();
        }
    }

    private async Task ReadAsync(string deploymentId)
    {
        if (await RunAsync(ReadScript, [BreakerKey(deploymentId), BreakerKey(deploymentId) + ":cool"], []).ConfigureAwait(false) is not { } reply)
        {
            return;
        }

        var parts = (RedisResult[])reply!;
        var open = (long)parts[0];
        var cool = (long)parts[2];
        if (open > 0)
        {
            Received?.Invoke(new SharedBreakerEvent(SharedBreakerEventKind.Opened, deploymentId, TimeSpan.FromMilliseconds(open), 0, (string?)parts[1] ?? "opened"));
        }

        if (cool > 0)
        {
            Received?.Invoke(new SharedBreakerEvent(SharedBreakerEventKind.CooledDown, deploymentId, TimeSpan.FromMilliseconds(cool), int.TryParse((string?)parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0, ""));
        }
    }

    /// <summary>Runs a script; null (counted, reported) when Redis did not answer. Never throws for Redis's sake.</summary>
    private async Task<RedisResult?> RunAsync(string script, RedisKey[] keys, RedisValue[] args)
    {
        // A reply to a command sent before a later failure says nothing about Redis now: only a command sent after
        // the last failure marks it up again (otherwise a late reply flips the state down, up, down).
        var failuresBefore = Volatile.Read(ref _failures);
        try
        {
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(script, keys, args).ConfigureAwait(false);
            lock (_availability)
            {
                if (_failures == failuresBefore && _available == 0)
                {
                    _available = 1;
                    AvailabilityChanged?.Invoke(true);
                }
            }

            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Fail(e is RedisConnectionException c ? $"Redis is unreachable: {c.FailureType}" : e is TimeoutException ? "Redis did not answer in time" : $"Redis failed: {e.Message}");
            return null;
        }
    }

    private void Fail(string reason)
    {
        Failed?.Invoke(reason);
        lock (_availability)
        {
            _failures++;
            if (_available == 1)
            {
                _available = 0;
                AvailabilityChanged?.Invoke(false);
            }
        }
    }

    private async Task SubscribeAsync()
    {
        if (Interlocked.CompareExchange(ref _subscribed, 1, 0) != 0)
        {
            return;
        }

        try
        {
            await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnMessage(message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Volatile.Write(ref _subscribed, 0); // again when the connection comes back
            Fail("could not subscribe to the breaker channel: " + e.Message);
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // Whatever was published while the connection was down is read from the keys instead.
        _ = SubscribeAsync();
        foreach (var id in _tracked.Keys)
        {
            _ = ReadAsync(id);
        }
    }

    private void OnMessage(RedisValue message)
    {
        var parts = ((string?)message ?? "").Split('\n', 6);
        if (parts.Length != 6 || parts[1] == Replica || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            return; // this replica's own, or not ours
        }

        var kind = parts[0] switch { "o" => SharedBreakerEventKind.Opened, "c" => SharedBreakerEventKind.Closed, "w" => SharedBreakerEventKind.CooledDown, _ => (SharedBreakerEventKind?)null };
        if (kind is { } k)
        {
            _ = int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var status);
            Received?.Invoke(new SharedBreakerEvent(k, parts[2], TimeSpan.FromMilliseconds(ms), status, parts[5]));
        }
    }

    private string Message(char kind, string deploymentId, long ms, int status, string reason)
        => string.Create(CultureInfo.InvariantCulture, $"{kind}\n{Replica}\n{deploymentId}\n{ms}\n{status}\n{reason.ReplaceLineEndings(" ")}");

    private static long Milliseconds(TimeSpan t) => Math.Max(1, (long)Math.Ceiling(t.TotalMilliseconds));
}
