using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class RoutingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static string TwoTiers(FakeUpstream first, FakeUpstream second, string extra = "") => $$"""
        model_list:
          - model_name: tiered
            litellm_params:
              model: openai/primary
              api_base: {{first.BaseUrl}}/v1
              order: 1
            model_info:
              id: primary
          - model_name: tiered
            litellm_params:
              model: openai/secondary
              api_base: {{second.BaseUrl}}/v1
              order: 2
            model_info:
              id: secondary
        switchyard:
          retry:
            base_delay: 0
        {{extra}}
        """;

    [Fact]
    public async Task Order_LowerOrderAvailable_HigherOrderNeverUsed()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(TwoTiers(a, b));

        for (var i = 0; i < 10; i++)
        {
            using var response = await gw.ChatAsync("tiered");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("primary", response.Headers.GetValues("x-switchyard-deployment").Single());
        }

        Assert.Equal(10, a.Count);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public async Task Order_LowerOrderBreakerOpens_HigherOrderTakesOver()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        a.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(TwoTiers(a, b, """
            breaker:
                consecutive_failures: 1
                open_duration: 60s
          """));

        using var first = await gw.ChatAsync("tiered");
        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal("secondary", first.Headers.GetValues("x-switchyard-deployment").Single());
        Assert.Equal("2", first.Headers.GetValues("x-switchyard-attempts").Single());

        for (var i = 0; i < 5; i++)
        {
            using var response = await gw.ChatAsync("tiered");
            Assert.Equal("secondary", response.Headers.GetValues("x-switchyard-deployment").Single());
            Assert.Equal("1", response.Headers.GetValues("x-switchyard-attempts").Single());
        }

        Assert.Equal(1, a.Count);
        Assert.Equal(6, b.Count);
    }

    [Fact]
    public async Task Order_LowerOrderCoolingDownAfterRetryAfter_HigherOrderUsedUntilCooldownEnds()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        a.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 429, "slow down", "rate_limit_exceeded", "rate_limit_exceeded", retryAfter: TimeSpan.FromSeconds(60));
        await using var gw = await GatewayFixture.StartAsync(TwoTiers(a, b));

        for (var i = 0; i < 3; i++)
        {
            using var response = await gw.ChatAsync("tiered");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("secondary", response.Headers.GetValues("x-switchyard-deployment").Single());
        }

        Assert.Equal(1, a.Count);
        Assert.Equal(3, b.Count);
    }

    [Fact]
    public async Task Order_LowerOrderDisabledByMissingKey_HigherOrderUsed()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: tiered
                litellm_params:
                  model: openai/primary
                  api_base: {{a.BaseUrl}}/v1
                  api_key: os.environ/NOT_SET_ANYWHERE
                  order: 1
              - model_name: tiered
                litellm_params:
                  model: openai/secondary
                  api_base: {{b.BaseUrl}}/v1
                  order: 2
            """);

        using var response = await gw.ChatAsync("tiered");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(0, a.Count);
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public async Task SimpleShuffle_Weights_DistributionFollowsWeights()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: weighted
                litellm_params:
                  model: mock/light
                  weight: 1
                model_info:
                  id: light
              - model_name: weighted
                litellm_params:
                  model: mock/heavy
                  weight: 3
                model_info:
                  id: heavy
            router_settings:
              routing_strategy: simple-shuffle
            """);

        const int Calls = 400;
        var heavy = 0;
        for (var i = 0; i < Calls; i++)
        {
            using var response = await gw.ChatAsync("weighted");
            Assert.Equal(200, (int)response.StatusCode);
            heavy += response.Headers.GetValues("x-switchyard-deployment").Single() == "heavy" ? 1 : 0;
        }

        // Expected share 0.75 (sd ~0.022 at 400 calls); the bound is loose enough never to flake and tight enough
        // to fail for an unweighted (0.5) or inverted (0.25) pick.
        var share = heavy / (double)Calls;
        Assert.InRange(share, 0.65, 0.85);
    }

    [Fact]
    public async Task SimpleShuffle_RpmWithoutWeight_RpmIsTheWeight()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: weighted
                litellm_params:
                  model: mock/light
                  rpm: 100
                model_info:
                  id: light
              - model_name: weighted
                litellm_params:
                  model: mock/heavy
                  rpm: 900
                model_info:
                  id: heavy
            """);

        var d = gw.Config.Deployments.ToDictionary(x => x.Id);
        Assert.Equal(100, d["light"].Weight);
        Assert.Equal(900, d["heavy"].Weight);
        var heavy = 0;
        for (var i = 0; i < 200; i++)
        {
            using var response = await gw.ChatAsync("weighted");
            heavy += response.Headers.GetValues("x-switchyard-deployment").Single() == "heavy" ? 1 : 0;
        }

        Assert.InRange(heavy / 200.0, 0.8, 0.97);
    }

    [Fact]
    public async Task LeastBusy_OneDeploymentBusy_OthersTakeTheTraffic()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Handler = async (c, _) =>
        {
            received.TrySetResult();
            await release.Task.WaitAsync(Bound);
            await OpenAIWire.WriteCompletionAsync(c, "slow");
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: busy
                litellm_params:
                  model: openai/a
                  api_base: {{a.BaseUrl}}/v1
                model_info:
                  id: a
              - model_name: busy
                litellm_params:
                  model: openai/b
                  api_base: {{b.BaseUrl}}/v1
                model_info:
                  id: b
            router_settings:
              routing_strategy: least-busy
            """);

        // Both idle: the tie goes to the first listed deployment, which then holds the call.
        var held = gw.ChatAsync("busy");
        await received.Task.WaitAsync(Bound);

        for (var i = 0; i < 4; i++)
        {
            using var response = await gw.ChatAsync("busy");
            Assert.Equal("b", response.Headers.GetValues("x-switchyard-deployment").Single());
        }

        release.SetResult();
        using (var slow = await held)
        {
            Assert.Equal("a", slow.Headers.GetValues("x-switchyard-deployment").Single());
        }

        Assert.Equal(1, a.Count);
        Assert.Equal(4, b.Count);
    }
}
