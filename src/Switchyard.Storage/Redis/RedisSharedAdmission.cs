using System.Globalization;
using StackExchange.Redis;
using Switchyard.Core.Admission;
using Switchyard.Core.Admission.Shared;
using Switchyard.Core.Config;

namespace Switchyard.Storage.Redis;

/// <summary>
/// Shared admission in Redis: one Lua script per admission (admit.lua; EVALSHA, one round trip) checks and takes the
/// budget, concurrency, rpm and tpm of every subject of the request on the Redis server's clock, and one per
/// settlement (settle.lua) replaces the reservations by what was used. Reservations are held per replica id
/// (<see cref="RedisReplica"/>), so a killed replica's expire with its heartbeat.
/// </summary>
/// <remarks>
/// Keys (under the configured prefix): <c>adm:{kind}:{id}</c> (hash: spend, budget reset, soft-alert mark, and per
/// replica its reservations n:/t:/c:), <c>adm:{kind}:{id}:w</c> (hash: requests and settled tokens per second, 62 s
/// TTL), <c>replica:{id}</c> (heartbeat), <c>open:{id}</c> (set: the replica's unsettled ticket ids).
/// </remarks>
public sealed class RedisSharedAdmission : ISharedAdmission, IAsyncDisposable
{
    private static readonly string AdmitScript = RedisScripts.Load("admit.lua");
    private static readonly string SettleScript = RedisScripts.Load("settle.lua");

    private readonly IConnectionMultiplexer _redis;
    private readonly bool _ownsConnection;
    private readonly string _prefix;
    private long _tickets;

    public RedisSharedAdmission(IConnectionMultiplexer redis, SharedStateSettings settings, TimeProvider time, string? replicaId = null, bool ownsConnection = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _redis = redis;
        _ownsConnection = ownsConnection;
        _prefix = settings.KeyPrefix;
        Replica = new RedisReplica(redis, settings.KeyPrefix, replicaId ?? DefaultReplicaId(), settings.ReplicaTtl, time);
    }

    /// <summary>Connects (without waiting for Redis to be up: it reconnects in the background) and starts the heartbeat.</summary>
    public static async Task<RedisSharedAdmission> ConnectAsync(SharedStateSettings settings, TimeProvider time, string? replicaId = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = RedisUrl.ToOptions(settings.RedisUrl ?? throw new ArgumentException("no Redis URL", nameof(settings)), settings.RedisTimeout);
        var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return new RedisSharedAdmission(redis, settings, time, replicaId, ownsConnection: true);
    }

    /// <summary><see cref="ConnectAsync"/> for a host's start-up (waits at most the connect timeout when Redis is down).</summary>
    public static RedisSharedAdmission Connect(SharedStateSettings settings, TimeProvider time, string? replicaId = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = RedisUrl.ToOptions(settings.RedisUrl ?? throw new ArgumentException("no Redis URL", nameof(settings)), settings.RedisTimeout);
        return new RedisSharedAdmission(ConnectionMultiplexer.Connect(options), settings, time, replicaId, ownsConnection: true);
    }

    public RedisReplica Replica { get; }

    public IConnectionMultiplexer Connection => _redis;

    /// <summary>Added to the Redis server's clock in the scripts: lets tests move time. Zero otherwise.</summary>
    internal TimeSpan ClockOffset { get; set; }

    public async ValueTask<SharedVerdict> AdmitAsync(SharedAdmitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ticket = Interlocked.Increment(ref _tickets);
        for (var attempt = 0; ; attempt++)
        {
            var replica = Replica.Id;
            var reply = await EvaluateAsync(AdmitScript, AdmitKeys(request, replica), AdmitArgs(request, replica, ticket)).ConfigureAwait(false);
            if (reply[0] == 2 && attempt == 0)
            {
                // this replica was taken for dead (its heartbeat lapsed): a new generation, then once more
                await Replica.RenewGenerationAsync(replica).ConfigureAwait(false);
                continue;
            }

            if (reply[0] == 2)
            {
                throw new SharedStateException("this replica's heartbeat could not be registered in Redis") { NotSent = true };
            }

            return Verdict(request, replica, ticket, reply);
        }
    }

    public async ValueTask<SharedSettlement> SettleAsync(SharedSettleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (count, keys) = SubjectKeys(request.Subjects, request.Replica);
        var args = new RedisValue[9 + count];
        args[0] = request.Replica;
        args[1] = request.Ticket;
        args[2] = request.AtMs;
        args[3] = request.ReservedTokens;
        args[4] = request.ReservedCostNanos;
        args[5] = request.ActualTokens;
        args[6] = request.ActualCostNanos;
        args[7] = (long)ClockOffset.TotalMilliseconds;
        args[8] = count;
        var k = 9;
        foreach (var s in request.Subjects)
        {
            if (s is not null)
            {
                args[k++] = request.Budgets && s.Limits.SoftBudget is { } soft ? AdmissionController.ToNanos(soft) : -1;
            }
        }

        var reply = await EvaluateAsync(SettleScript, keys, args).ConfigureAwait(false);
        var settlement = new SharedSettlement { Applied = reply[0] == 1 };
        if (settlement.Applied)
        {
            var j = 1;
            for (var i = 0; i < request.Subjects.Length; i++)
            {
                if (request.Subjects[i] is not null)
                {
                    settlement.SpentNanos[i] = reply[j];
                    settlement.SoftBudgetReached[i] = reply[j + 1] == 1;
                    j += 2;
                }
            }
        }

        return settlement;
    }

    public async ValueTask DisposeAsync()
    {
        await Replica.DisposeAsync().ConfigureAwait(false);
        if (_ownsConnection)
        {
            await _redis.CloseAsync().ConfigureAwait(false);
            _redis.Dispose();
        }
    }

    /// <summary>The state hash of a subject (its window hash is this plus <c>:w</c>).</summary>
    public string SubjectKey(string kind, string id) => $"{_prefix}adm:{kind}:{id}";

    private async Task<long[]> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] args)
    {
        RedisResult result;
        try
        {
            // EVALSHA once the script is known to the server; EVAL (which loads it) after a restart of Redis
            result = await _redis.GetDatabase().ScriptEvaluateAsync(script, keys, args).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw new SharedStateException($"Redis is unreachable: {e.FailureType}", e) { NotSent = true };
        }
        catch (RedisTimeoutException e)
        {
            throw new SharedStateException("Redis did not answer in time", e);
        }
        catch (RedisServerException e)
        {
            throw new SharedStateException($"Redis refused the script: {e.Message}", e);
        }
        catch (RedisException e)
        {
            throw new SharedStateException($"Redis failed: {e.Message}", e);
        }

        return (long[])result!;
    }

    private (int Count, RedisKey[] Keys) SubjectKeys(LimitState?[] subjects, string replica)
    {
        var count = 0;
        foreach (var s in subjects)
        {
            count += s is null ? 0 : 1;
        }

        var keys = new RedisKey[(2 * count) + 1];
        var k = 0;
        foreach (var s in subjects)
        {
            if (s is not null)
            {
                var key = SubjectKey(s.Kind, s.Id);
                keys[k++] = key;
                keys[k++] = key + ":w";
            }
        }

        keys[k] = Replica.OpenTickets(replica);
        return (count, keys);
    }

    private RedisKey[] AdmitKeys(SharedAdmitRequest request, string replica) => SubjectKeys(request.Subjects, replica).Keys;

    private RedisValue[] AdmitArgs(SharedAdmitRequest request, string replica, long ticket)
    {
        var subjects = request.Subjects;
        var count = 0;
        foreach (var s in subjects)
        {
            count += s is null ? 0 : 1;
        }

        var args = new RedisValue[9 + (8 * count)];
        args[0] = replica;
        args[1] = Replica.HeartbeatPrefix;
        args[2] = ticket;
        args[3] = request.EstimatedTokens;
        args[4] = request.EstimatedCostNanos;
        args[5] = (long)ClockOffset.TotalMilliseconds;
        args[6] = request.Rates ? 1 : 0;
        args[7] = request.Budgets ? 1 : 0;
        args[8] = count;
        var k = 9;
        foreach (var s in subjects)
        {
            if (s is null)
            {
                continue;
            }

            var l = s.Limits;
            args[k++] = l.Rpm ?? -1;
            args[k++] = l.Tpm ?? -1;
            args[k++] = l.MaxParallelRequests ?? -1;
            args[k++] = l.MaxBudget is { } max ? AdmissionController.ToNanos(max) : -1;
            args[k++] = l.BudgetDuration?.Amount ?? 0;
            args[k++] = (l.BudgetDuration?.Unit ?? 's').ToString();
            args[k++] = s.Budget.SpentNanos;
            args[k++] = s.Budget.ResetAt is { } reset ? reset.ToUnixTimeMilliseconds() : -1;
        }

        return args;
    }

    private static SharedVerdict Verdict(SharedAdmitRequest request, string replica, long ticket, long[] reply)
    {
        SharedRefusal? refusal = null;
        if (reply[0] == 1)
        {
            var index = SubjectIndex(request.Subjects, (int)reply[6]);
            var retry = reply[12] >= 0 ? TimeSpan.FromMilliseconds(reply[12]) : (TimeSpan?)null;
            refusal = new SharedRefusal((SharedRefusalKind)reply[7], index, reply[8], reply[9], reply[10], (int)reply[11], retry);
        }

        var verdict = new SharedVerdict
        {
            Replica = replica,
            Ticket = ticket,
            AtMs = reply[1],
            Refusal = refusal,
            LimitRequests = reply[2],
            RemainingRequests = reply[3],
            LimitTokens = reply[4],
            RemainingTokens = reply[5],
        };
        var j = 13;
        for (var i = 0; i < request.Subjects.Length; i++)
        {
            if (request.Subjects[i] is null)
            {
                continue;
            }

            var reset = reply[j + 1] >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(reply[j + 1]) : (DateTimeOffset?)null;
            verdict.Budgets[i] = new SharedBudgetView(true, reply[j], reset, reply[j + 2] == 1);
            j += 3;
        }

        return verdict;
    }

    /// <summary>The request's subject index of the script's 1-based position among the present subjects.</summary>
    private static int SubjectIndex(LimitState?[] subjects, int position)
    {
        for (var i = 0; i < subjects.Length; i++)
        {
            if (subjects[i] is not null && --position == 0)
            {
                return i;
            }
        }

        throw new InvalidOperationException("the admission script named a subject the request does not have");
    }

    private static string DefaultReplicaId()
        => string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
}
