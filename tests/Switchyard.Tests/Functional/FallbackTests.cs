using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class FallbackTests : IAsyncLifetime
{
    private readonly FakeUpstream[] _upstreams = new FakeUpstream[4];

    private FakeUpstream A => _upstreams[0];
    private FakeUpstream B => _upstreams[1];
    private FakeUpstream C => _upstreams[2];
    private FakeUpstream D => _upstreams[3];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < _upstreams.Length; i++)
        {
            _upstreams[i] = await FakeUpstream.StartAsync();
            var name = "upstream-" + (char)('a' + i);
            _upstreams[i].Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "answer from " + name);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var u in _upstreams)
        {
            await u.DisposeAsync();
        }
    }

    /// <summary>Groups a, b, c, d (one deployment each on upstreams A-D) plus the given router settings.</summary>
    private string Groups(string router)
    {
        var sb = new StringBuilder("model_list:\n");
        for (var i = 0; i < _upstreams.Length; i++)
        {
            var g = (char)('a' + i);
            sb.Append($"  - model_name: {g}\n    litellm_params:\n      model: openai/model-{g}\n      api_base: {_upstreams[i].BaseUrl}/v1\n");
        }

        sb.Append("router_settings:\n  num_retries: 0\n").Append(router).Append('\n');
        sb.Append("switchyard:\n  retry:\n    base_delay: 0\n");
        return sb.ToString();
    }

    private static Task Fail500(Microsoft.AspNetCore.Http.HttpContext c) => OpenAIWire.WriteErrorAsync(c, 500, "boom");

    [Fact]
    public async Task Fallbacks_GroupFails_NextGroupInChainAnswers()
    {
        A.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - a: [b, c]"));

        using var response = await gw.ChatAsync("a");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("answer from upstream-b", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("2", response.Headers.GetValues("x-switchyard-attempts").Single());
        Assert.Equal("a", response.Headers.GetValues("x-switchyard-route").Single());
        Assert.Equal((1, 1, 0), (A.Count, B.Count, C.Count));
        Assert.Contains("\"model\":\"model-b\"", B.Requests.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fallbacks_FirstTwoFail_ThirdInChainAnswers()
    {
        A.Handler = (c, _) => Fail500(c);
        B.Handler = (c, _) => OpenAIWire.HangAsync(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - a: [b, c]").Replace("model: openai/model-b\n", "model: openai/model-b\n      timeout: 200ms\n", StringComparison.Ordinal));

        using var response = await gw.ChatAsync("a");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("answer from upstream-c", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("3", response.Headers.GetValues("x-switchyard-attempts").Single());
        Assert.Equal((1, 1, 1), (A.Count, B.Count, C.Count));
    }

    [Fact]
    public async Task Fallbacks_WholeChainFails_SummaryRouteIsRequestedAlias()
    {
        A.Handler = (c, _) => Fail500(c);
        B.Handler = (c, _) => OpenAIWire.HangAsync(c);
        await using var gw = await GatewayFixture.StartAsync(
            Groups("  fallbacks:\n    - router.default: [b]\n  model_group_alias:\n    router.default: a")
                .Replace("model: openai/model-b\n", "model: openai/model-b\n      timeout: 200ms\n", StringComparison.Ordinal));

        using var response = await gw.ChatAsync("router.default");

        // The timeout is the more telling of the two failures; the route is what the caller asked for.
        var s = await FailureAssert.ReadAsync(response, 504, "upstream_timeout", "upstream_timeout");
        Assert.Equal("router.default", s.Route);
        Assert.Equal((1, 1), (A.Count, B.Count));
    }

    [Fact]
    public async Task Fallbacks_KeyedByGroupCalledThroughAlias_GroupFallbacksApply()
    {
        A.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - a: [b]\n  model_group_alias:\n    router.default: a"));

        using var response = await gw.ChatAsync("router.default");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal((1, 1), (A.Count, B.Count));
    }

    [Fact]
    public async Task Fallbacks_FromLitellmSettings_Used()
    {
        A.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("") + "litellm_settings:\n  fallbacks: [{\"a\": [\"c\"]}]\n");

        using var response = await gw.ChatAsync("a");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal((1, 0, 1), (A.Count, B.Count, C.Count));
    }

    [Fact]
    public async Task ContextWindowFallbacks_ContextLengthError_GoesToContextWindowChainNotRegularOne()
    {
        A.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 400,
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
            "invalid_request_error", "context_length_exceeded", "messages");
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - a: [b]\n  context_window_fallbacks:\n    - a: [c]").Replace("num_retries: 0", "num_retries: 2", StringComparison.Ordinal));

        using var response = await gw.ChatAsync("a");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("answer from upstream-c", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((1, 0, 1), (A.Count, B.Count, C.Count));
    }

    [Fact]
    public async Task ContextWindowFallbacks_NoneConfigured_Answers400ContextLengthExceededWithoutRegularFallback()
    {
        A.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 400, "maximum context length is 8192 tokens", "invalid_request_error", "context_length_exceeded", "messages");
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - a: [b]"));

        using var response = await gw.ChatAsync("a");

        var s = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "context_length_exceeded");
        Assert.Equal("a", s.Route);
        Assert.DoesNotContain("8192", s.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0), (A.Count, B.Count));
    }

    [Fact]
    public async Task DefaultFallbacks_GroupWithoutOwnChain_DefaultUsed()
    {
        A.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("  default_fallbacks: [d]"));

        using var response = await gw.ChatAsync("a");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("answer from upstream-d", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((1, 0, 0, 1), (A.Count, B.Count, C.Count, D.Count));
    }

    [Fact]
    public async Task DefaultFallbacks_GroupWithOwnChain_OwnChainWins()
    {
        A.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("  default_fallbacks: [d]\n  fallbacks:\n    - a: [c]"));

        using var response = await gw.ChatAsync("a");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal((1, 0, 1, 0), (A.Count, B.Count, C.Count, D.Count));
    }

    [Fact]
    public async Task MaxFallbacks_LongFailingChain_StopsAfterMaxFallbacks()
    {
        foreach (var u in _upstreams)
        {
            u.Handler = (c, _) => Fail500(c);
        }

        await using var gw = await GatewayFixture.StartAsync(Groups("  max_fallbacks: 2\n  fallbacks:\n    - a: [b, c, d]"));

        using var response = await gw.ChatAsync("a");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal("a", s.Route);
        Assert.Equal((1, 1, 1, 0), (A.Count, B.Count, C.Count, D.Count));
    }

    [Fact]
    public async Task Fallbacks_CallerErrorInFallbackGroup_StopsTheChain()
    {
        A.Handler = (c, _) => Fail500(c);
        B.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 400, "bad tool schema", "invalid_request_error", "invalid_value", "tools[0]");
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - a: [b, c]"));

        using var response = await gw.ChatAsync("a");

        var s = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "invalid_value");
        Assert.Equal("tools[0]", s.Param);
        Assert.Equal("a", s.Route);
        Assert.Equal((1, 1, 0), (A.Count, B.Count, C.Count));
    }

    [Fact]
    public async Task Fallbacks_Wildcard_AppliesToEveryGroupWithoutItsOwn()
    {
        B.Handler = (c, _) => Fail500(c);
        await using var gw = await GatewayFixture.StartAsync(Groups("  fallbacks:\n    - \"*\": [d]"));

        using var response = await gw.ChatAsync("b");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal((1, 1), (B.Count, D.Count));
    }
}
