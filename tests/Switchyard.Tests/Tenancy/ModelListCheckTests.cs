using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Keys and tenants get their model lists checked the same way, as the router resolves names (exact, case-sensitive):
/// an unknown or misspelt alias is refused with the nearest names, so it cannot earn its tokens 403s later.
/// </summary>
public sealed class ModelListCheckTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat-group
            litellm_params: { model: mock/chat, mock_response: ok }
        router_settings:
          model_group_alias:
            router.default: chat-group
        """;

    [Theory]
    [InlineData("/team/new", "team_id")]
    [InlineData("/key/generate", "key_alias")]
    public async Task Create_CaseDriftedAlias_400NamingTheAliasItMeant(string path, string idField)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var r = await gw.PostAsync(path, new Dictionary<string, object> { [idField] = "research", ["models"] = new[] { "router.default", "Router.Default" } });

        Assert.Equal(400, r.Status);
        Assert.Equal("invalid_value", r.ErrorCode);
        Assert.Equal("models", r.ErrorParam);
        var message = r.Error.GetProperty("message").GetString();
        Assert.Contains("'Router.Default' is no alias or model group", message, StringComparison.Ordinal);
        Assert.Contains("did you mean 'router.default'", message, StringComparison.Ordinal);
        Assert.Equal(0, (await gw.GetAsync("/team/list")).Json.GetArrayLength());
        Assert.Equal(0, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task TeamUpdate_UnknownAlias_400AndTheTeamKeepsItsModels()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "research", models = new[] { "router.default" } })).Status);

        var r = await gw.PostAsync("/team/update", new { team_id = "research", models = new[] { "router.defualt" } });

        Assert.Equal(400, r.Status);
        Assert.Contains("did you mean 'router.default'", r.Body, StringComparison.Ordinal);
        var team = (await gw.GetAsync("/team/info?team_id=research")).Json.GetProperty("team_info");
        Assert.Equal("router.default", Assert.Single(team.GetProperty("models").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task TeamNew_KnownAliasAndGroup_Accepted()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var r = await gw.PostAsync("/team/new", new { team_id = "research", models = new[] { "router.default", "chat-group" } });

        Assert.Equal(200, r.Status);
    }

    [Fact]
    public async Task CliTenantsCreate_MisspeltAlias_RefusedLikeKeysCreate()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var master = Path.Combine(CliProcess.NewFolder(), "master.key");
        File.WriteAllText(master, GatewayFixture.MasterKey + "\n");
        string[] common = ["--url", gw.BaseUrl, "--token-file", master];

        var tenant = await CliProcess.RunAsync(["tenants", "create", "research", "--models", "Router.Default", .. common]);
        var key = await CliProcess.RunAsync(["keys", "create", "--models", "Router.Default", .. common]);

        Assert.Equal(1, tenant.Code);
        Assert.Equal(1, key.Code);
        Assert.Contains("400 invalid_value: 'Router.Default' is no alias or model group; did you mean 'router.default'?", tenant.Stderr, StringComparison.Ordinal);
        Assert.Equal(tenant.Stderr.Split('\n').Last(l => l.Contains("400", StringComparison.Ordinal)), key.Stderr.Split('\n').Last(l => l.Contains("400", StringComparison.Ordinal)));
        Assert.Equal(0, (await gw.GetAsync("/team/list")).Json.GetArrayLength());
    }
}
