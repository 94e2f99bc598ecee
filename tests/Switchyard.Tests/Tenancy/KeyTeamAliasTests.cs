using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Key <c>aliases</c> and team <c>model_aliases</c> (LiteLLM's fields): set through the admin API, returned by /key/info
/// and /team/info, resolved after the caller is known (key, then team, then the global aliases) on every protocol,
/// with the model-access check applied as LiteLLM applies it.
/// </summary>
public sealed class KeyTeamAliasTests
{
    private const string Yaml = """
        model_list:
          - model_name: gpt-3.5-turbo
            litellm_params: { model: mock/turbo, mock_response: turbo }
            model_info: { id: turbo-1 }
          - model_name: gpt-4
            litellm_params: { model: mock/four, mock_response: four }
            model_info: { id: four-1 }
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: chat }
            model_info: { id: chat-1 }
        router_settings:
          model_group_alias:
            mistral-7b: chat
        """;

    [Fact]
    public async Task KeyAliases_GenerateThenCallThroughSdk_ReachesTheTargetAndKeyInfoShowsThem()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (key, hash) = await gw.GenerateKeyAsync(new { aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-3.5-turbo" } });

        var answer = (await gw.Chat("mistral-7b", key).CompleteChatAsync([new UserChatMessage("hi")])).Value;

        Assert.Equal("turbo", answer.Content[0].Text);
        var info = await gw.GetAsync("/key/info?key=" + key, key);
        Assert.Equal("gpt-3.5-turbo", info.Json.GetProperty("info").GetProperty("aliases").GetProperty("mistral-7b").GetString());
        var row = Assert.Single((await gw.GetAsync("/spend/logs?api_key=" + hash)).Json.EnumerateArray());
        Assert.Equal("gpt-3.5-turbo", row.GetProperty("model_group").GetString());
        Assert.Equal("four", (await gw.Chat("gpt-4", key).CompleteChatAsync([new UserChatMessage("hi")])).Value.Content[0].Text); // other names as before
    }

    [Fact]
    public async Task KeyUpdate_AliasesReplacedOrCleared_AppliesLive()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (key, _) = await gw.GenerateKeyAsync(new { aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-3.5-turbo" } });

        var updated = await gw.PostAsync("/key/update", new { key, aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-4" } });

        Assert.Equal(200, updated.Status);
        Assert.Equal("gpt-4", updated.Json.GetProperty("aliases").GetProperty("mistral-7b").GetString());
        Assert.Equal("four-1", (await gw.ChatAsync(key, "mistral-7b")).Header("x-switchyard-deployment"));
        await gw.PostAsync("/key/update", new { key, aliases = new { } });
        Assert.Equal("chat-1", (await gw.ChatAsync(key, "mistral-7b")).Header("x-switchyard-deployment")); // the global alias again
    }

    [Fact]
    public async Task Precedence_KeyAliasBeatsTeamAliasBeatsGlobalAlias()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var team = await gw.PostAsync("/team/new", new { team_id = "acme", model_aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-4" } });
        Assert.Equal(200, team.Status);
        var (keyed, _) = await gw.GenerateKeyAsync(new { team_id = "acme", aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-3.5-turbo" } });
        var (teamOnly, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (loose, _) = await gw.GenerateKeyAsync(new { });

        Assert.Equal("turbo-1", (await gw.ChatAsync(keyed, "mistral-7b")).Header("x-switchyard-deployment"));
        Assert.Equal("four-1", (await gw.ChatAsync(teamOnly, "mistral-7b")).Header("x-switchyard-deployment"));
        Assert.Equal("chat-1", (await gw.ChatAsync(loose, "mistral-7b")).Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task TeamAliases_NewUpdateAndInfo_LiteLLMShapes()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        await gw.PostAsync("/team/new", new { team_id = "acme", model_aliases = new Dictionary<string, string> { ["fast"] = "gpt-3.5-turbo" } });

        var updated = await gw.PostAsync("/team/update", new { team_id = "acme", model_aliases = new Dictionary<string, string> { ["fast"] = "gpt-4", ["slow"] = "chat" } });

        Assert.Equal(200, updated.Status);
        Assert.Equal("acme", updated.Json.GetProperty("team_id").GetString());
        Assert.Equal("gpt-4", updated.Json.GetProperty("data").GetProperty("model_aliases").GetProperty("fast").GetString());
        var (key, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var info = await gw.GetAsync("/team/info?team_id=acme", key); // a team's key reads its own team
        var aliases = info.Json.GetProperty("team_info").GetProperty("model_aliases");
        Assert.Equal(("gpt-4", "chat"), (aliases.GetProperty("fast").GetString(), aliases.GetProperty("slow").GetString()));
        Assert.Equal("four-1", (await gw.ChatAsync(key, "fast")).Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task ModelAccess_KeyAliasTargetMustBeAllowed_TeamAliasIsItsOwnGrant()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (key, _) = await gw.GenerateKeyAsync(new
        {
            models = new[] { "gpt-3.5-turbo" },
            aliases = new Dictionary<string, string> { ["ok"] = "gpt-3.5-turbo", ["sneaky"] = "gpt-4" },
        });
        await gw.PostAsync("/team/new", new { team_id = "acme", models = new[] { "chat" }, model_aliases = new Dictionary<string, string> { ["fast"] = "gpt-4" } });
        var (member, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });

        Assert.Equal(200, (await gw.ChatAsync(key, "ok")).Status);
        var refused = await gw.ChatAsync(key, "sneaky");
        Assert.Equal((403, "model_not_allowed", "sneaky"), (refused.Status, refused.ErrorCode, refused.Error.GetProperty("route").GetString()));
        Assert.Contains("'gpt-4'", refused.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(403, (await gw.ChatAsync(member, "gpt-4")).Status); // the team may not call gpt-4 by its name
        Assert.Equal(200, (await gw.ChatAsync(member, "fast")).Status); // as in LiteLLM, the team's alias grants its target
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"mistral-7b","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/completions", """{"model":"mistral-7b","prompt":"hi"}""")]
    [InlineData("/v1/embeddings", """{"model":"mistral-7b","input":"hi"}""")]
    [InlineData("/v1/responses", """{"model":"mistral-7b","input":"hi"}""")]
    [InlineData("/v1/messages", """{"model":"mistral-7b","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/messages/count_tokens", """{"model":"mistral-7b","messages":[{"role":"user","content":"hi"}]}""")]
    public async Task EveryProtocol_KeyAliasResolvedBeforeTheGlobalOne(string path, string body)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml.Replace("mistral-7b: chat", "other-name: chat", StringComparison.Ordinal));
        var (key, _) = await gw.GenerateKeyAsync(new { aliases = new Dictionary<string, string> { ["mistral-7b"] = "gpt-3.5-turbo" } });
        var (plain, _) = await gw.GenerateKeyAsync(new { });

        var aliased = await gw.SendAsync(HttpMethod.Post, path, key, body);
        var unknown = await gw.SendAsync(HttpMethod.Post, path, plain, body);

        Assert.True(aliased.Status == 200, aliased.ToString());
        if (!path.EndsWith("count_tokens", StringComparison.Ordinal))
        {
            Assert.Equal("turbo-1", aliased.Header("x-switchyard-deployment"));
        }

        Assert.Equal(404, unknown.Status); // only that key has the name
    }

    [Theory]
    [InlineData("/key/generate", """{"aliases":{"x":"no-such-model"}}""", "aliases.x", "invalid_value")]
    [InlineData("/key/generate", """{"aliases":["x"]}""", "aliases", "invalid_type")]
    [InlineData("/key/generate", """{"aliases":{"x":7}}""", "aliases.x", "invalid_type")]
    [InlineData("/team/new", """{"team_id":"t","model_aliases":{"x":"no-such-model"}}""", "model_aliases.x", "invalid_value")]
    [InlineData("/team/new", """{"team_id":"t","model_aliases":"x"}""", "model_aliases", "invalid_type")]
    public async Task BadAliases_400NamingTheFieldAndNothingCreated(string path, string body, string param, string code)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var r = await gw.SendAsync(HttpMethod.Post, path, GatewayFixture.MasterKey, body);

        Assert.Equal((400, code, param), (r.Status, r.ErrorCode, r.ErrorParam));
        Assert.Equal(0, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());
        Assert.Empty((await gw.GetAsync("/team/list")).Json.EnumerateArray());
    }
}
