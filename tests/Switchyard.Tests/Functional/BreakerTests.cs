using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Config;
using Switchyard.Hosting;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class BreakerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static string Yaml(FakeUpstream upstream, string breaker, string id = "flaky", string extra = "") => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
              {{extra}}
            model_info:
              id: {{id}}
        router_settings:
          num_retries: 0
        switchyard:
          retry:
            base_delay: 0
          breaker:
            {{breaker}}
        """;

    private const string Consecutive3 = """
        consecutive_failures: 3
            failure_ratio: 0
            open_duration: 30s
        """;

    private static Task Fail500(Microsoft.AspNetCore.Http.HttpContext c) => OpenAIWire.WriteErrorAsync(c, 500, "boom");

    /// <summary>Sends three failing calls, which open a consecutive_failures: 3 breaker.</summary>
    private static async Task OpenAsync(GatewayFixture gw, FakeUpstream upstream)
    {
        upstream.Handler = (c, _) => Fail500(c);
        for (var i = 1; i <= 3; i++)
        {
            using var response = await gw.ChatAsync("chat");
            var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
            Assert.Equal(i == 3 ? 30_000 : 1_000, s.RetryAfterMs); // the breaker's reopening once open, else the short hint
        }

        Assert.Equal(3, upstream.Count);
    }

    private static async Task<string> BreakerStateAsync(GatewayFixture gw)
    {
        using var doc = JsonDocument.Parse(await gw.Http.GetStringAsync("/health"));
        return doc.RootElement.GetProperty("deployments")[0].GetProperty("breaker").GetString()!;
    }

    [Fact]
    public async Task Breaker_ConsecutiveFailures_OpensAndAnswers503AtOnceWithTimeUntilOpenEnds()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);

        _time.Advance(TimeSpan.FromSeconds(10));
        using (var response = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(response, 503, "route_unavailable", "breaker_open");
            Assert.Equal(20_000, s.RetryAfterMs);
            Assert.Equal("20", response.Headers.GetValues("Retry-After").Single());
            Assert.Contains("flaky: breaker open, 20 s left", s.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("cooling down", s.Message, StringComparison.Ordinal);
            Assert.Equal("chat", s.Route);
            Assert.Equal("openai", s.ProviderFamily);
        }

        _time.Advance(TimeSpan.FromMilliseconds(12_500));
        using (var response = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(response, 503, "route_unavailable", "breaker_open");
            Assert.Equal(7_500, s.RetryAfterMs);
            Assert.Equal("8", response.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal(3, upstream.Count);
        Assert.Equal("open", await BreakerStateAsync(gw));
    }

    [Fact]
    public async Task Readiness_GroupWhoseOnlyDeploymentIsOpen_IsNotRoutable_UntilTheProbeIsDue()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        using (var before = JsonDocument.Parse(await gw.Http.GetStringAsync("/health/readiness")))
        {
            Assert.Equal(1, before.RootElement.GetProperty("routable_groups").GetInt32());
        }

        await OpenAsync(gw, upstream);

        using (var open = await gw.Http.GetAsync("/health/readiness"))
        {
            Assert.Equal(503, (int)open.StatusCode);
            using var doc = JsonDocument.Parse(await open.Content.ReadAsStringAsync());
            Assert.Equal(0, doc.RootElement.GetProperty("routable_groups").GetInt32());
            Assert.Equal(["chat"], doc.RootElement.GetProperty("unroutable_groups").EnumerateArray().Select(e => e.GetString()));
        }

        _time.Advance(TimeSpan.FromSeconds(30)); // half-open: a probe may go now
        using var halfOpen = await gw.Http.GetAsync("/health/readiness");
        Assert.Equal(200, (int)halfOpen.StatusCode);
    }

    [Fact]
    public async Task Breaker_OpenThroughSdk_SurfacesAs503ClientResultException()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);

        var e = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(
            () => gw.Chat("chat").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("ping")]));

        Assert.Equal(503, e.Status);
        var s = FailureAssert.Parse(e.GetRawResponse()!.Content.ToString());
        Assert.Equal("breaker_open", s.Code);
        Assert.Equal(30_000, s.RetryAfterMs);
        Assert.Equal(3, upstream.Count);
    }

    [Fact]
    public async Task Breaker_AfterOpenDuration_OneProbeSucceeds_Closes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("half_open", await BreakerStateAsync(gw));
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "recovered");
        using (var probe = await gw.ChatAsync("chat"))
        {
            Assert.Equal(200, (int)probe.StatusCode);
        }

        Assert.Equal("closed", await BreakerStateAsync(gw));
        for (var i = 0; i < 3; i++)
        {
            using var response = await gw.ChatAsync("chat");
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(7, upstream.Count);
    }

    [Fact]
    public async Task Breaker_AfterOpenDuration_ProbeFails_ReopensForAnotherOpenDuration()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);

        _time.Advance(TimeSpan.FromSeconds(30));
        using (var probe = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(probe, 502, "upstream_error", "upstream_server_error");
            Assert.Equal(30_000, s.RetryAfterMs);
        }

        Assert.Equal(4, upstream.Count);
        _time.Advance(TimeSpan.FromSeconds(1));
        using (var response = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(response, 503, "route_unavailable", "breaker_open");
            Assert.Equal(29_000, s.RetryAfterMs);
        }

        Assert.Equal(4, upstream.Count);
        Assert.Equal("open", await BreakerStateAsync(gw));
    }

    [Fact]
    public async Task Breaker_HalfOpen_OnlyOneProbeAtATime()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handler = async (c, _) =>
        {
            received.TrySetResult();
            await release.Task.WaitAsync(Bound);
            await OpenAIWire.WriteCompletionAsync(c, "probe ok");
        };

        _time.Advance(TimeSpan.FromSeconds(30));
        var probe = gw.ChatAsync("chat");
        await received.Task.WaitAsync(Bound);
        using (var second = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(second, 503, "route_unavailable", "breaker_open");
            Assert.NotNull(s.RetryAfterMs);
        }

        release.SetResult();
        using (var first = await probe)
        {
            Assert.Equal(200, (int)first.StatusCode);
        }

        Assert.Equal(4, upstream.Count);
        Assert.Equal("closed", await BreakerStateAsync(gw));
    }

    [Fact]
    public async Task Breaker_FailureRatioOverWindow_OpensOnceMinimumCallsReached()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var plan = new Queue<bool>([true, false, true, false]); // true = success
        upstream.Handler = (c, _) => plan.Dequeue() ? OpenAIWire.WriteCompletionAsync(c, "ok") : Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, """
            consecutive_failures: 100
                failure_ratio: 0.5
                minimum_calls: 4
                window: 10s
                open_duration: 30s
            """), _time);

        int[] expected = [200, 502, 200, 502];
        foreach (var status in expected)
        {
            using var response = await gw.ChatAsync("chat");
            Assert.Equal(status, (int)response.StatusCode);
        }

        using (var blocked = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(blocked, 503, "route_unavailable", "breaker_open");
            Assert.Equal(30_000, s.RetryAfterMs);
        }

        Assert.Equal(4, upstream.Count);
    }

    [Fact]
    public async Task Breaker_FailuresOlderThanWindow_DoNotCount()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, """
            consecutive_failures: 100
                failure_ratio: 0.5
                minimum_calls: 4
                window: 10s
            """), _time);

        for (var i = 0; i < 3; i++)
        {
            using var response = await gw.ChatAsync("chat");
            Assert.Equal(502, (int)response.StatusCode);
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "ok");
        using (var ok = await gw.ChatAsync("chat"))
        {
            Assert.Equal(200, (int)ok.StatusCode);
        }

        upstream.Handler = (c, _) => Fail500(c);
        using (var fail = await gw.ChatAsync("chat"))
        {
            Assert.Equal(502, (int)fail.StatusCode); // 1 failure of 2 calls in the window: below minimum_calls
        }

        using (var next = await gw.ChatAsync("chat"))
        {
            Assert.Equal(502, (int)next.StatusCode); // 2 of 3: still below minimum_calls, so the upstream is called
        }

        Assert.Equal(6, upstream.Count);
        Assert.Equal("closed", await BreakerStateAsync(gw));
    }

    [Fact]
    public async Task Breaker_SlowCalls_OpenOnLatencyRule()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            _time.Advance(TimeSpan.FromSeconds(2)); // the call takes 2 s on the gateway's clock
            return OpenAIWire.WriteCompletionAsync(c, "slow but fine");
        };
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, """
            failure_ratio: 0
                slow_call_duration: 1s
                slow_call_ratio: 0.5
                minimum_calls: 2
                open_duration: 30s
            """), _time);

        for (var i = 0; i < 2; i++)
        {
            using var response = await gw.ChatAsync("chat");
            Assert.Equal(200, (int)response.StatusCode);
        }

        using (var blocked = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(blocked, 503, "route_unavailable", "breaker_open");
            Assert.Equal(30_000, s.RetryAfterMs);
        }

        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Breaker_FastCalls_DoNotTripLatencyRule()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            return OpenAIWire.WriteCompletionAsync(c, "quick");
        };
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, """
            slow_call_duration: 1s
                slow_call_ratio: 0.5
                minimum_calls: 2
            """), _time);

        for (var i = 0; i < 5; i++)
        {
            using var response = await gw.ChatAsync("chat");
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(5, upstream.Count);
    }

    [Fact]
    public async Task Breaker_ConfigSwapKeepingId_StateSurvives()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);
        var state = gw.Service<GatewayState>();

        state.Swap(Load(Yaml(upstream, Consecutive3, extra: "timeout: 45")));
        Assert.Equal(TimeSpan.FromSeconds(45), state.Current.Config.Deployments[0].Timeout);
        _time.Advance(TimeSpan.FromSeconds(5));
        using (var response = await gw.ChatAsync("chat"))
        {
            var s = await FailureAssert.ReadAsync(response, 503, "route_unavailable", "breaker_open");
            Assert.Equal(25_000, s.RetryAfterMs);
        }

        Assert.Equal(3, upstream.Count);

        // A deployment with a new id is a new deployment: fresh, closed breaker.
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "fresh");
        state.Swap(Load(Yaml(upstream, Consecutive3, id: "flaky-v2")));
        using (var response = await gw.ChatAsync("chat"))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(4, upstream.Count);
    }

    [Fact]
    public async Task Breaker_CallerErrors_DoNotCount()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 400, "bad", "invalid_request_error", "invalid_value", "temperature");
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, """
            consecutive_failures: 2
                failure_ratio: 0.5
                minimum_calls: 2
            """), _time);

        for (var i = 0; i < 5; i++)
        {
            using var response = await gw.ChatAsync("chat");
            Assert.Equal(400, (int)response.StatusCode);
        }

        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 404, "no such thing", "invalid_request_error", "model_not_found", "model");
        using (var notFound = await gw.ChatAsync("chat"))
        {
            Assert.Equal(404, (int)notFound.StatusCode);
        }

        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "fine");
        using (var ok = await gw.ChatAsync("chat"))
        {
            Assert.Equal(200, (int)ok.StatusCode);
        }

        Assert.Equal(7, upstream.Count);
        Assert.Equal("closed", await BreakerStateAsync(gw));
    }

    [Fact]
    public async Task Breaker_OpenGroupWithFallback_FallbackAnswersWithoutTouchingOpenDeployment()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var spare = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream, Consecutive3), _time);
        await OpenAsync(gw, upstream);
        gw.Service<GatewayState>().Swap(Load(Yaml(upstream, Consecutive3).Replace("router_settings:\n", $$"""
            router_settings:
              fallbacks:
                - chat: [spare]

            """, StringComparison.Ordinal).Replace("model_list:\n", $$"""
            model_list:
              - model_name: spare
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{spare.BaseUrl}}/v1

            """, StringComparison.Ordinal)));

        using var response = await gw.ChatAsync("chat");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(3, upstream.Count);
        Assert.Equal(1, spare.Count);
    }

    private static GatewayConfig Load(string yaml)
        => ConfigLoader.Load(yaml + $"\ngeneral_settings:\n  master_key: {GatewayFixture.MasterKey}\n", Path.GetTempPath(), _ => null);
}
