using Switchyard.Core.Tenancy;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// Three real gateway processes sharing one real Redis, each with its own SQLite file holding the same key (so no
/// shared database is needed), in front of one fake upstream: the key's limits hold across the replicas, and a
/// replica killed with requests in flight stops holding them once its heartbeat expires.
/// </summary>
public sealed class SharedGatewaysTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly List<ChildGateway> _gateways = [];
    private FakeUpstream _upstream = null!;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _holding;
    private int _inFlight;
    private int _maxInFlight;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _upstream = await FakeUpstream.StartAsync();
        _upstream.Handler = async (context, _) =>
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            try
            {
                if (_holding)
                {
                    await _gate.Task.WaitAsync(context.RequestAborted);
                }

                await OpenAIWire.WriteCompletionAsync(context, "hello from fake");
            }
            catch (OperationCanceledException)
            {
                // the gateway that sent it was killed
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        };
    }

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        foreach (var g in _gateways)
        {
            await g.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Chat_KeyWithRpm60Hit600TimesOverThreeReplicas_ExactlySixtyAnswered()
    {
        var token = await StartReplicasAsync(new Limits { Rpm = 60 });
        var statuses = new int[600];
        var codes = new string?[600];

        await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (i, _) =>
        {
            var (status, body, _) = await _gateways[i % 3].PostAsync("/v1/chat/completions", token, GatewayApi.ChatBody("chat", 200, 16));
            statuses[i] = status;
            codes[i] = status == 200 ? null : body;
        });

        Assert.Equal(60, statuses.Count(s => s == 200));
        Assert.Equal(540, statuses.Count(s => s == 429));
        Assert.All(codes.Where(c => c is not null), c => Assert.Contains("\"code\":\"rpm_limit\"", c, StringComparison.Ordinal));
        Assert.Equal(60, _upstream.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Contains(i, Enumerable.Range(0, 600).Where(j => statuses[j] == 200).Select(j => j % 3))); // every replica admitted some
    }

    [Fact]
    public async Task Chat_MaxParallel5AndAReplicaKilledWithFiveInFlight_NoSixthUntilItsReservationsExpire()
    {
        var token = await StartReplicasAsync(new Limits { MaxParallelRequests = 5 });
        _holding = true;
        var doomed = _gateways[2];
        var held = Enumerable.Range(0, 5).Select(_ => SendAsync(doomed, token)).ToArray();
        await GatewayApi.WaitUntilAsync(() => Volatile.Read(ref _inFlight) == 5, "five requests of the doomed replica at the upstream");

        // a burst over the two others: every one refused, none reaches the upstream
        var burst = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync(_gateways[i % 2], token)));
        Assert.All(burst, r => Assert.Equal((429, true), (r.Status, r.Body.Contains("\"code\":\"concurrency_limit\"", StringComparison.Ordinal))));
        Assert.Equal(5, _maxInFlight);

        doomed.Kill(); // SIGKILL with five requests in flight: nothing is settled, its heartbeat just stops
        await Task.WhenAll(held.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        await GatewayApi.WaitUntilAsync(() => Volatile.Read(ref _inFlight) == 0, "the doomed replica's calls to end at the upstream");

        // the others admit again once its heartbeat (replica_ttl 2s) has expired
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var admitted = new List<Task<(int Status, string Body)>>();
        while (admitted.Count < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "the killed replica's reservations were never released");
            var before = Volatile.Read(ref _inFlight);
            var attempt = SendAsync(_gateways[admitted.Count % 2], token);
            while (!attempt.IsCompleted && Volatile.Read(ref _inFlight) == before)
            {
                Assert.True(DateTime.UtcNow < deadline, "a request neither answered nor reached the upstream");
                await Task.Delay(10);
            }

            if (Volatile.Read(ref _inFlight) > before)
            {
                admitted.Add(attempt); // held at the upstream: it was admitted
                continue;
            }

            var (status, body) = await attempt;
            Assert.True(status == 429 && body.Contains("\"code\":\"concurrency_limit\"", StringComparison.Ordinal), $"{status}: {body}");
            await Task.Delay(100);
        }

        await GatewayApi.WaitUntilAsync(() => Volatile.Read(ref _inFlight) == 5, "five admitted after the expiry");
        var sixth = await SendAsync(_gateways[0], token);
        Assert.Equal(429, sixth.Status);
        _gate.TrySetResult();
        Assert.All(await Task.WhenAll(admitted), r => Assert.Equal(200, r.Status));
        Assert.Equal(5, _maxInFlight);
    }

    private static async Task<(int Status, string Body)> SendAsync(ChildGateway gateway, string token)
    {
        try
        {
            var (status, body, _) = await gateway.PostAsync("/v1/chat/completions", token, GatewayApi.ChatBody("chat", 200, 16));
            return (status, body);
        }
        catch (HttpRequestException)
        {
            return (0, "connection lost");
        }
    }

    /// <summary>Starts three gateways sharing Redis, each with its own SQLite file holding one key with <paramref name="limits"/>.</summary>
    private async Task<string> StartReplicasAsync(Limits limits)
    {
        var token = TokenHash.NewToken();
        var dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        for (var i = 0; i < 3; i++)
        {
            var db = Path.Combine(dir, $"replica-{i}.db");
            await using (var store = new SqliteGatewayStore(db))
            {
                await store.InitializeAsync(CancellationToken.None);
                await store.UpsertKeyAsync(new KeyRecord { TokenHash = TokenHash.Of(token).ToHex(), KeyName = TokenHash.Mask(token), Limits = limits }, CancellationToken.None);
            }

            var config = Path.Combine(dir, $"replica-{i}.yaml");
            await File.WriteAllTextAsync(config, $$"""
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: {{_upstream.BaseUrl}}/v1
                      api_key: sk-fake-upstream
                router_settings:
                  num_retries: 0
                general_settings:
                  master_key: {{GatewayFixture.MasterKey}}
                switchyard:
                  store:
                    sqlite_path: {{db}}
                  shared:
                    redis_url: {{_redis.Url}}
                    replicas: 3
                    replica_ttl: 2s
                    timeout: 2s
                """);
            _gateways.Add(await ChildGateway.StartAsync(config));
        }

        return token;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
