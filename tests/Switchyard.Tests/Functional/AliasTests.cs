using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class AliasTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat-group
            litellm_params:
              model: mock/chat
            model_info:
              id: chat-1
          - model_name: draft-group
            litellm_params:
              model: mock/draft
            model_info:
              id: draft-1
          - model_name: router.default
            litellm_params:
              model: mock/default
            model_info:
              id: default-1
        router_settings:
          model_group_alias:
            gpt-4o: chat-group
            legacy-name:
              model: chat-group
              hidden: true
        switchyard:
          aliases:
            draft.fast: draft-group
        """;

    [Fact]
    public async Task Chat_RouterModelGroupAlias_RoutesToTargetGroup()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.ChatAsync("gpt-4o");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("chat-1", response.Headers.GetValues("x-switchyard-deployment").Single());
        Assert.Equal("gpt-4o", response.Headers.GetValues("x-switchyard-route").Single());
    }

    [Fact]
    public async Task Chat_SwitchyardAlias_RoutesToTargetGroup()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var completion = await gw.Chat("draft.fast").CompleteChatAsync([new OpenAI.Chat.UserChatMessage("ping")]);

        Assert.Equal("This is a mock response from draft to: ping", completion.Value.Content[0].Text);
    }

    [Fact]
    public async Task Chat_HiddenAlias_StillRoutes()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.ChatAsync("legacy-name");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("chat-1", response.Headers.GetValues("x-switchyard-deployment").Single());
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/models")]
    public async Task Models_ListsGroupsAndVisibleAliases_NotHiddenOnes(string path)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.Http.GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("list", doc.RootElement.GetProperty("object").GetString());
        var ids = doc.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["chat-group", "draft-group", "draft.fast", "gpt-4o", "router.default"], ids);
        Assert.All(doc.RootElement.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));
    }

    [Fact]
    public async Task Models_ThroughSdk_ListsTheSameNames()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var models = await gw.Client().GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal(["chat-group", "draft-group", "draft.fast", "gpt-4o", "router.default"], models.Value.Select(m => m.Id).ToArray());
    }

    [Fact]
    public async Task Model_RetrieveThroughSdk_AnswersVisibleNamesAnd404sHiddenOrUnknown()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var client = gw.Client().GetOpenAIModelClient();

        var model = await client.GetModelAsync("draft.fast");
        var hidden = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => client.GetModelAsync("legacy-name"));
        using var unknown = await gw.Http.GetAsync("/models/Draft.Fast");
        var error = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(("draft.fast", "switchyard"), (model.Value.Id, model.Value.OwnedBy));
        Assert.Equal(404, hidden.Status);
        Assert.Equal(404, (int)unknown.StatusCode);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Contains("'draft.fast'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_CaseDrift_404SuggestsExactName()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.ChatAsync("Router.Default");

        var s = await FailureAssert.ReadAsync(response, 404, "not_found", "model_not_found");
        Assert.Equal("model", s.Param);
        Assert.Contains("'Router.Default'", s.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'router.default'", s.Message, StringComparison.Ordinal);
        Assert.Null(s.RetryAfterMs);
    }

    [Fact]
    public async Task Chat_Typo_404NamesNearestAliases()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.ChatAsync("draft.fsat");

        var s = await FailureAssert.ReadAsync(response, 404, "not_found", "model_not_found");
        Assert.Equal("model", s.Param);
        Assert.Contains("'draft.fast'", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_UnknownNameNearHiddenAlias_DoesNotRevealHiddenAlias()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.ChatAsync("legacy-nam");

        var s = await FailureAssert.ReadAsync(response, 404, "not_found", "model_not_found");
        Assert.DoesNotContain("legacy-name", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_NothingNear_404PointsToModelsList()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        using var response = await gw.ChatAsync("completely-unrelated-name");

        var s = await FailureAssert.ReadAsync(response, 404, "not_found", "model_not_found");
        Assert.Contains("GET /v1/models", s.Message, StringComparison.Ordinal);
        Assert.Equal("completely-unrelated-name", s.Route);
        Assert.Null(s.ProviderFamily);
    }
}
