using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>Wildcard model_names (<c>*</c>, <c>openai/*</c>) routed as LiteLLM routes them, through real HTTP to fake upstreams.</summary>
public sealed class WildcardRoutingTests
{
    /// <summary>A fake OpenAI upstream that answers with the model it was asked for, as OpenAI does.</summary>
    private static async Task<FakeUpstream> EchoingUpstreamAsync()
    {
        var u = await FakeUpstream.StartAsync();
        u.Handler = (c, r) => JsonDocument.Parse(r.Body).RootElement.TryGetProperty("stream", out var s) && s.GetBoolean()
            ? OpenAIWire.WriteStreamAsync(c, r, "hi")
            : OpenAIWire.WriteCompletionAsync(c, "hi", UpstreamModel(r), prompt: 1000, completion: 100);
        return u;
    }

    private static string UpstreamModel(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("model").GetString()!;

    private static string Config(FakeUpstream openai, FakeUpstream catchAll, FakeUpstream exact, string extra = "") => $$"""
        model_list:
          - model_name: "*"
            litellm_params:
              model: openai/*
              api_base: {{catchAll.BaseUrl}}/v1
            model_info:
              id: catch-all
          - model_name: "openai/*"
            litellm_params:
              model: openai/*
              api_base: {{openai.BaseUrl}}/v1
            model_info:
              id: openai-any
          - model_name: "openai/gpt-4o-*"
            litellm_params:
              model: openai/gpt-4o-*-pinned
              api_base: {{openai.BaseUrl}}/v1
            model_info:
              id: openai-4o-family
          - model_name: openai/gpt-4.1
            litellm_params:
              model: openai/exact-upstream
              api_base: {{exact.BaseUrl}}/v1
            model_info:
              id: exact
        {{extra}}
        """;

    [Fact]
    public async Task ProviderPattern_OpenAIGpt4o_UpstreamGetsTheConcreteModel()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4o");

        Assert.Equal(200, r.Status);
        Assert.Equal("gpt-4o", UpstreamModel(Assert.Single(openai.Requests)));
        Assert.Equal(0, any.Count);
        Assert.Equal("openai-any:openai/gpt-4o", r.Header("x-switchyard-deployment"));
        Assert.Equal("openai/gpt-4o", r.Header("x-switchyard-route"));
    }

    [Fact]
    public async Task CatchAll_NameNoOtherRouteMatches_GoesToStarWithTheNameAsModel()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "llama-3-70b");
        using var stream = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("mistral-large", stream: true), streamResponse: true);
        var (text, broken) = await GatewayRequests.ReadAllAsync(stream);

        Assert.Equal(200, r.Status);
        Assert.Equal(200, (int)stream.StatusCode);
        Assert.False(broken, text);
        Assert.Contains("[DONE]", text, StringComparison.Ordinal);
        Assert.Equal(["llama-3-70b", "mistral-large"], any.Requests.Select(UpstreamModel).Order().ToArray());
        Assert.Equal(0, openai.Count);
    }

    [Fact]
    public async Task ExactName_BeatsEveryPattern()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4.1");

        Assert.Equal(200, r.Status);
        Assert.Equal("exact-upstream", UpstreamModel(Assert.Single(exact.Requests)));
        Assert.Equal(0, openai.Count + any.Count);
        Assert.Equal("exact", r.Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task LongestPattern_Wins_AndFillsItsModelsStar()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4o-mini");

        Assert.Equal(200, r.Status);
        Assert.Equal("gpt-4o-mini-pinned", UpstreamModel(Assert.Single(openai.Requests))); // openai/gpt-4o-* over openai/* over *
        Assert.Equal("openai-4o-family:openai/gpt-4o-mini-pinned", r.Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task SpendRow_ShowsTheConcreteModel_PricedFromTheBuiltInTable()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));
        var (key, _) = await gw.GenerateKeyAsync(new { models = new[] { "openai/*" } });

        var r = await gw.ChatAsync(key, "openai/gpt-4o");

        Assert.Equal(200, r.Status);
        await GatewayApi.WaitUntilAsync(() =>
        {
            using var c = GatewayApi.OpenSqlite(gw.SqlitePath);
            return c.Scalar("SELECT COUNT(*) FROM spend_logs WHERE status = 200") == 1;
        }, "the spend row");
        using var db = GatewayApi.OpenSqlite(gw.SqlitePath);
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT alias, model, deployment, cost_nanos FROM spend_logs WHERE status = 200";
        using var row = cmd.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal("openai/gpt-4o", row.GetString(0));
        Assert.Equal("openai/gpt-4o", row.GetString(1));
        Assert.Equal("openai-any:openai/gpt-4o", row.GetString(2));
        Assert.Equal(3_500_000, row.GetInt64(3)); // gpt-4o: 1000 prompt × $2.50/M + 100 completion × $10/M = $0.0035
    }

    [Fact]
    public async Task AccessList_PatternEntryAllowsMatchingConcreteNames_OnlyThose()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));
        var (patternKey, _) = await gw.GenerateKeyAsync(new { models = new[] { "openai/*" } });
        var (exactKey, _) = await gw.GenerateKeyAsync(new { models = new[] { "openai/gpt-4o" } });

        var allowed = await gw.ChatAsync(patternKey, "openai/gpt-4o");
        var viaCatchAll = await gw.ChatAsync(patternKey, "claude-haiku");
        var exactAllowed = await gw.ChatAsync(exactKey, "openai/gpt-4o");
        var exactOther = await gw.ChatAsync(exactKey, "openai/gpt-4o-mini");

        Assert.Equal(200, allowed.Status);
        Assert.Equal(403, viaCatchAll.Status);
        Assert.Equal("model_not_allowed", viaCatchAll.ErrorCode);
        Assert.Equal(200, exactAllowed.Status);
        Assert.Equal(403, exactOther.Status);
        Assert.Equal(2, openai.Count);
        Assert.Equal(0, any.Count);
    }

    [Fact]
    public async Task DeploymentRpm_CountsPerConcreteModel()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: "openai/*"
                litellm_params:
                  model: openai/*
                  api_base: {{openai.BaseUrl}}/v1
                  rpm: 1
            """);

        var first = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4o");
        var second = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4o");
        var other = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4o-mini");

        Assert.Equal(200, first.Status);
        Assert.Equal(429, second.Status); // gpt-4o's one request a minute is used
        Assert.Equal("deployment_rate_limited", second.ErrorCode);
        Assert.Equal(200, other.Status);  // gpt-4o-mini has its own
    }

    [Fact]
    public async Task ModelsList_ShowsWildcardNamesAsWritten()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));

        var r = await gw.GetAsync("/v1/models");

        var ids = r.Json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["*", "openai/*", "openai/gpt-4.1", "openai/gpt-4o-*"], ids.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task WildcardNameCalledAsItIs_Is400_AndReachesNoUpstream()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var any = await EchoingUpstreamAsync();
        await using var exact = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(openai, any, exact));

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/*");

        Assert.Equal(400, r.Status);
        Assert.Equal("wildcard_model_name", r.ErrorCode);
        Assert.Equal("model", r.ErrorParam);
        Assert.Equal(0, openai.Count + any.Count + exact.Count);
    }

    [Fact]
    public async Task NoCatchAll_UnmatchedName_Is404()
    {
        await using var openai = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: "openai/*"
                litellm_params:
                  model: openai/*
                  api_base: {{openai.BaseUrl}}/v1
            """);

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "anthropic/claude-haiku");

        Assert.Equal(404, r.Status);
        Assert.Equal("model_not_found", r.ErrorCode);
        Assert.Equal(0, openai.Count);
    }

    [Fact]
    public async Task Fallbacks_NamedForThePattern_ApplyToItsConcreteNames()
    {
        await using var openai = await FakeUpstream.StartAsync();
        openai.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var backup = await EchoingUpstreamAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: "openai/*"
                litellm_params:
                  model: openai/*
                  api_base: {{openai.BaseUrl}}/v1
              - model_name: backup
                litellm_params:
                  model: openai/backup-model
                  api_base: {{backup.BaseUrl}}/v1
            router_settings:
              num_retries: 0
              fallbacks: [{"openai/*": ["backup"]}]
            """);

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "openai/gpt-4o");

        Assert.Equal(200, r.Status);
        Assert.Equal("backup", r.Header("x-switchyard-fallback"));
        Assert.Equal("gpt-4o", UpstreamModel(Assert.Single(openai.Requests)));
    }
}
