using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>Tag-based routing (router_settings.enable_tag_filtering) with LiteLLM's rules, through real HTTP to fake upstreams.</summary>
public sealed class TagRoutingTests
{
    private static string Config(FakeUpstream free, FakeUpstream paid, FakeUpstream fallback, bool defaultTag = true, string extra = "") => $$"""
        model_list:
          - model_name: gpt
            litellm_params:
              model: openai/free-model
              api_base: {{free.BaseUrl}}/v1
              tags: ["free"{{(defaultTag ? ", \"default\"" : "")}}]
            model_info:
              id: free
          - model_name: gpt
            litellm_params:
              model: openai/paid-model
              api_base: {{paid.BaseUrl}}/v1
              tags: ["paid", "teamA"]
            model_info:
              id: paid
          - model_name: other
            litellm_params:
              model: openai/other-model
              api_base: {{fallback.BaseUrl}}/v1
              tags: ["enterprise"]
        router_settings:
          enable_tag_filtering: true
        {{extra}}
        """;

    private static string Body(string model, string? tags = null, string? metadataTags = null)
        => "{\"model\":\"" + model + "\"" + (tags is null ? "" : ",\"tags\":" + tags)
            + (metadataTags is null ? "" : ",\"metadata\":{\"note\":\"x\",\"tags\":" + metadataTags + "}")
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";

    private static Task<ApiResponse> SendAsync(GatewayFixture gw, string body, string? key = GatewayFixture.MasterKey)
        => gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", key, body);

    [Fact]
    public async Task RequestTags_SelectTheDeploymentsCarryingThem_AndAreNotSentUpstream()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other));

        for (var i = 0; i < 5; i++)
        {
            var top = await SendAsync(gw, Body("gpt", tags: "[\"paid\"]"));
            var meta = await SendAsync(gw, Body("gpt", metadataTags: "[\"teamA\"]"));
            Assert.Equal("paid", top.Header("x-switchyard-deployment"));
            Assert.Equal("paid", meta.Header("x-switchyard-deployment"));
        }

        Assert.Equal(0, free.Count);
        Assert.Equal(10, paid.Count);
        foreach (var sent in paid.Requests)
        {
            var root = JsonDocument.Parse(sent.Body).RootElement;
            Assert.False(root.TryGetProperty("tags", out _), sent.Body);
            if (root.TryGetProperty("metadata", out var metadata))
            {
                Assert.False(metadata.TryGetProperty("tags", out _), sent.Body);
                Assert.Equal("x", metadata.GetProperty("note").GetString()); // the rest of metadata is passed on
            }

            Assert.Equal("paid-model", root.GetProperty("model").GetString());
        }
    }

    [Fact]
    public async Task NoTags_GoToTheDefaultTaggedDeployment()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other));

        for (var i = 0; i < 6; i++)
        {
            var r = await SendAsync(gw, Body("gpt"));
            Assert.Equal(200, r.Status);
            Assert.Equal("free", r.Header("x-switchyard-deployment"));
        }

        var unknownTag = await SendAsync(gw, Body("gpt", tags: "[\"nobody-has-this\"]"));
        Assert.Equal("free", unknownTag.Header("x-switchyard-deployment")); // no match: the default deployments, as in LiteLLM
        Assert.Equal(0, paid.Count);
    }

    [Fact]
    public async Task NoMatchAndNoDefault_IsATyped403_AndReachesNoUpstream()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other, defaultTag: false));

        var r = await SendAsync(gw, Body("gpt", tags: "[\"enterprise\"]"));
        var untagged = await SendAsync(gw, Body("gpt")); // no default deployment: every deployment serves untagged requests

        Assert.Equal(403, r.Status);
        Assert.Equal("permission_denied", r.Error.GetProperty("type").GetString());
        Assert.Equal("no_deployment_for_tags", r.ErrorCode);
        Assert.Equal("gpt", r.Error.GetProperty("route").GetString());
        Assert.Contains("'enterprise'", r.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, untagged.Status);
        Assert.Equal(1, free.Count + paid.Count);
    }

    [Fact]
    public async Task MatchAll_TagTheGroupKnowsButNoDeploymentHasAll_IsRefusedNotDefaulted()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other, extra: "  tag_filtering_match_any: false"));

        var both = await SendAsync(gw, Body("gpt", tags: "[\"paid\", \"teamA\"]"));
        var mixed = await SendAsync(gw, Body("gpt", tags: "[\"paid\", \"free\"]"));

        Assert.Equal("paid", both.Header("x-switchyard-deployment"));
        Assert.Equal(403, mixed.Status);
        Assert.Equal("no_deployment_for_tags", mixed.ErrorCode);
    }

    [Fact]
    public async Task KeyAndTeamMetadataTags_RouteEveryRequestOfTheKey()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other));
        var (keyTagged, _) = await gw.GenerateKeyAsync(new { tags = new[] { "paid" } });
        var (metadataTagged, _) = await gw.GenerateKeyAsync(new { metadata = new { tags = new[] { "teamA" } } });
        var team = await gw.PostAsync("/team/new", new { team_id = "premium", metadata = new { tags = new[] { "paid" } } });
        Assert.Equal(200, team.Status);
        var (teamKey, _) = await gw.GenerateKeyAsync(new { team_id = "premium" });
        var (plain, _) = await gw.GenerateKeyAsync(new { });

        var a = await SendAsync(gw, Body("gpt"), keyTagged);
        var b = await SendAsync(gw, Body("gpt"), metadataTagged);
        var c = await SendAsync(gw, Body("gpt"), teamKey);
        var d = await SendAsync(gw, Body("gpt"), plain);

        Assert.Equal(["paid", "paid", "paid", "free"], new[] { a, b, c, d }.Select(r => r.Header("x-switchyard-deployment") ?? "").ToArray());
    }

    [Fact]
    public async Task NoMatch_FallbackGroupServesTheRequest()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other, defaultTag: false, extra: "  fallbacks: [{\"gpt\": [\"other\"]}]"));

        var r = await SendAsync(gw, Body("gpt", tags: "[\"enterprise\"]"));

        Assert.Equal(200, r.Status); // gpt has no deployment for the tag; its fallback "other" has
        Assert.Equal("other", r.Header("x-switchyard-fallback"));
        Assert.Equal(0, free.Count + paid.Count);
    }

    [Fact]
    public async Task TagsNotAnArrayOfStrings_Is400_AndNothingRoutes()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(free, paid, other));

        var r = await SendAsync(gw, Body("gpt", tags: "\"paid\""));
        var nested = await SendAsync(gw, Body("gpt", metadataTags: "[1]"));

        Assert.Equal(400, r.Status);
        Assert.Equal("tags", r.ErrorParam);
        Assert.Equal(400, nested.Status);
        Assert.Equal("metadata.tags", nested.ErrorParam);
        Assert.Equal(0, free.Count + paid.Count);
    }

    [Fact]
    public async Task FilteringOff_TagsChooseNothing_AndTheConfigSaysSo()
    {
        await using var free = await FakeUpstream.StartAsync();
        await using var paid = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        var yaml = Config(free, paid, other).Replace("enable_tag_filtering: true", "enable_tag_filtering: false", StringComparison.Ordinal);
        await using var gw = await GatewayFixture.StartAsync(yaml);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(200, (await SendAsync(gw, Body("gpt"))).Status);
        }

        Assert.True(free.Count > 0 && paid.Count > 0, $"free {free.Count}, paid {paid.Count}");
        Assert.Contains(gw.Config.Warnings, w => w.Path == "model_list[0].litellm_params.tags" && w.Message.Contains("enable_tag_filtering", StringComparison.Ordinal));
    }
}
