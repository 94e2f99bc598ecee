using System.Net.Http.Headers;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.SharedState;

/// <summary>
/// Two real gateway processes sharing breakers through one real Redis (switchyard.shared.state: [breakers]), in front of
/// one failing fake provider whose calls are counted: failures through A open the breaker, B then refuses with the
/// typed breaker_open summary without calling the provider, once the open period is over one probe reaches it across
/// both gateways, and its success closes the breaker on both.
/// </summary>
public sealed class SharedBreakerGatewaysTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly List<ChildGateway> _gateways = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeUpstream _upstream = null!;
    private volatile bool _failing = true;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _upstream = await FakeUpstream.StartAsync();
        _upstream.Handler = async (context, _) =>
        {
            if (_failing)
            {
                await OpenAIWire.WriteErrorAsync(context, 500, "the provider is down");
                return;
            }

            await _release.Task.WaitAsync(context.RequestAborted); // the probe is held here until the test lets it answer
            await OpenAIWire.WriteCompletionAsync(context, "hello from fake");
        };
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        foreach (var g in _gateways)
        {
            await g.DisposeAsync();
        }

        await _upstream.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Chat_FailuresThroughA_BRefusesWithoutCallingTheProviderThenOneProbeForBothAndRecoveryClosesBoth()
    {
        var (a, b) = await StartGatewaysAsync();

        // three failures through A open its breaker (consecutive_failures: 3)
        for (var i = 0; i < 3; i++)
        {
            var (status, body) = await SendAsync(a);
            Assert.True(status is 500 or 502, $"{status}: {body}");
            Assert.DoesNotContain("breaker_open", body, StringComparison.Ordinal);
        }

        Assert.Equal(3, _upstream.Count);

        // B applies A's open without having sent anything, then refuses with the typed summary, the provider untouched
        await WaitForBreakerAsync(b, "open");
        for (var i = 0; i < 5; i++)
        {
            AssertBreakerOpen(await SendAsync(b));
        }

        Assert.Equal(3, _upstream.Count);

        // the provider recovers; once the open period is over, calls through both gateways until one reaches it (held there)
        _failing = false;
        Task<(int Status, string Body)> probe;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (var i = 0; ; i++)
        {
            Assert.True(DateTime.UtcNow < deadline, "no probe reached the provider after the open period");
            var call = SendAsync(_gateways[i % 2]);
            while (!call.IsCompleted && _upstream.Count == 3)
            {
                await Task.Delay(5);
            }

            if (_upstream.Count > 3)
            {
                probe = call;
                break;
            }

            AssertBreakerOpen(await call);
            await Task.Delay(50);
        }

        // while the probe is in flight, neither gateway sends a second call
        for (var i = 0; i < 20; i++)
        {
            AssertBreakerOpen(await SendAsync(_gateways[i % 2]));
        }

        Assert.Equal(4, _upstream.Count);

        _release.TrySetResult();
        Assert.Equal(200, (await probe).Status);
        await WaitForBreakerAsync(a, "closed");
        await WaitForBreakerAsync(b, "closed");
        Assert.Equal(200, (await SendAsync(a)).Status);
        Assert.Equal(200, (await SendAsync(b)).Status);
        Assert.Equal(6, _upstream.Count);
    }

    [Fact]
    public async Task Readiness_RedisUpThenStopped_SaysUpThenDown()
    {
        var (a, _) = await StartGatewaysAsync();
        Assert.Equal("up", await ReadinessRedisAsync(a));

        _redis.Stop();
        await SendAsync(a); // the failure's breaker open cannot be published: the replica's own breaker goes on
        await SendAsync(a);
        await SendAsync(a);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await ReadinessRedisAsync(a) != "down")
        {
            Assert.True(DateTime.UtcNow < deadline, "readiness never said redis: down");
            await Task.Delay(100);
        }

        AssertBreakerOpen(await SendAsync(a)); // still protected by its own breaker
        Assert.Equal(3, _upstream.Count);
    }

    private static void AssertBreakerOpen((int Status, string Body) r)
    {
        Assert.True(r.Status == 503 && r.Body.Contains("\"code\":\"breaker_open\"", StringComparison.Ordinal), $"{r.Status}: {r.Body}");
        Assert.Contains("\"type\":\"route_unavailable\"", r.Body, StringComparison.Ordinal);
    }

    private static async Task<string?> ReadinessRedisAsync(ChildGateway g)
    {
        using var response = await g.Http.GetAsync("/health/readiness"); // 503 once the only group's breaker is open
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("redis").GetString();
    }

    /// <summary>Polls the gateway's /health until its one deployment's breaker is <paramref name="state"/> (sending nothing upstream).</summary>
    private static async Task WaitForBreakerAsync(ChildGateway g, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.MasterKey);
            using var response = await g.Http.SendAsync(request);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (doc.RootElement.GetProperty("deployments")[0].GetProperty("breaker").GetString() == state)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the breaker of gateway :{g.Port} never became {state}");
            await Task.Delay(20);
        }
    }

    private static async Task<(int Status, string Body)> SendAsync(ChildGateway g)
    {
        var (status, body, _) = await g.PostAsync("/v1/chat/completions", GatewayFixture.MasterKey, GatewayApi.ChatBody("chat", 200, 16));
        return (status, body);
    }

    private async Task<(ChildGateway A, ChildGateway B)> StartGatewaysAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        for (var i = 0; i < 2; i++)
        {
            var config = Path.Combine(dir, $"replica-{i}.yaml");
            await File.WriteAllTextAsync(config, $$"""
                model_list:
                  - model_name: chat
                    litellm_params:
                      model: openai/gpt-4o-mini
                      api_base: {{_upstream.BaseUrl}}/v1
                      api_key: sk-fake-upstream
                    model_info:
                      id: chat-upstream
                router_settings:
                  num_retries: 0
                general_settings:
                  master_key: {{GatewayFixture.MasterKey}}
                switchyard:
                  store:
                    sqlite_path: {{Path.Combine(dir, $"replica-{i}.db")}}
                  breaker:
                    consecutive_failures: 3
                    failure_ratio: 0
                    open_duration: 3s
                  shared:
                    redis_url: {{_redis.Url}}
                    state: [breakers]
                    timeout: 2s
                """);
            _gateways.Add(await ChildGateway.StartAsync(config));
        }

        return (_gateways[0], _gateways[1]);
    }
}
