using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>Canary aliases (switchyard.canaries): the traffic split, the canary header, fallback to the primary, promotion.</summary>
public sealed class CanaryTests
{
    private static string Config(int percent = 30, string canaryParams = "") => $"""
        model_list:
          - model_name: primary
            litellm_params:
              model: mock/stable
              mock_response: stable
            model_info:
              id: stable-1
          - model_name: next
            litellm_params:
              model: mock/next
              mock_response: next{canaryParams}
            model_info:
              id: next-1
        router_settings:
          num_retries: 0
          model_group_alias:
            router.default: primary
            other.alias: primary
        switchyard:
          canaries:
            router.default: {"{"}target: next, percent: {percent}{"}"}
        """;

    private static async Task<ApiResponse[]> CallAsync(GatewayFixture gw, int count, string model = "router.default")
    {
        var answers = new List<ApiResponse>();
        for (var batch = 0; batch < count; batch += 10)
        {
            answers.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(10, count - batch)).Select(_ => gw.ChatAsync(GatewayFixture.MasterKey, model))));
        }

        return answers.ToArray();
    }

    [Fact]
    public async Task Canary_SplitsTrafficAndMarksCanaryAnswers()
    {
        await using var gw = await GatewayFixture.StartAsync(Config());

        var answers = await CallAsync(gw, 200);

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        var canary = answers.Where(a => a.Header("x-switchyard-deployment") == "next-1").ToArray();
        var primary = answers.Where(a => a.Header("x-switchyard-deployment") == "stable-1").ToArray();
        Assert.Equal(200, canary.Length + primary.Length);

        // 30 % of 200 is 60 (standard deviation about 6.5): loose bounds, both groups served
        Assert.InRange(canary.Length, 20, 110);
        Assert.All(canary, a => Assert.Equal("true", a.Header("x-switchyard-canary")));
        Assert.All(primary, a => Assert.Null(a.Header("x-switchyard-canary")));

        // only the alias with the canary is split
        var direct = await CallAsync(gw, 20, "other.alias");
        Assert.All(direct, a => Assert.Equal("stable-1", a.Header("x-switchyard-deployment")));
    }

    [Fact]
    public async Task FailingCanary_FallsBackToThePrimary()
    {
        await using var gw = await GatewayFixture.StartAsync(Config(100, "\n      mock_fail_status: 500"));

        var answers = await CallAsync(gw, 20);

        Assert.All(answers, a =>
        {
            Assert.True(a.Status == 200, a.ToString());
            Assert.Equal("stable-1", a.Header("x-switchyard-deployment"));
            Assert.Null(a.Header("x-switchyard-canary"));
        });
    }

    [Fact]
    public async Task Promote_RewritesFileKeepsBackupReloads_ThenAllTrafficGoesToTheFormerCanary()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(100));
        var original = await File.ReadAllTextAsync(gw.ConfigPath!);
        Assert.All(await CallAsync(gw, 25), a => Assert.Equal("next-1", a.Header("x-switchyard-deployment"))); // the evidence

        var promoted = await gw.PostAsync("/alias/promote", new { alias = "router.default" });

        Assert.True(promoted.Status == 200, promoted.ToString());
        Assert.Equal("promoted", promoted.Json.GetProperty("status").GetString());
        Assert.Equal(25, promoted.Json.GetProperty("evidence").GetProperty("canary").GetProperty("requests").GetInt64());
        var backup = promoted.Json.GetProperty("backup").GetString()!;
        Assert.True(File.Exists(backup), backup);
        Assert.Equal(original, await File.ReadAllTextAsync(backup));
        var after = Switchyard.Core.Config.ConfigLoader.LoadFile(gw.ConfigPath!);
        Assert.Equal("next", after.Router.ModelGroupAlias["router.default"]);
        Assert.False(after.Canaries["router.default"].IsActive);
        Assert.Equal("primary", after.Canaries["router.default"].PromotedFrom);

        var answers = await CallAsync(gw, 50);
        Assert.All(answers, a =>
        {
            Assert.True(a.Status == 200, a.ToString());
            Assert.Equal("next-1", a.Header("x-switchyard-deployment"));
            Assert.Null(a.Header("x-switchyard-canary"));
        });

        // the file the gateway now runs from loads as it did (a restart would serve the same)
        var again = await gw.PostAsync("/config/reload", (object)"");
        Assert.True(again.Status == 200, again.ToString());
        Assert.Equal("next-1", (await gw.ChatAsync(GatewayFixture.MasterKey, "router.default")).Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task PromoteTwice_KeepsEachBackup()
    {
        // two canaries, promoted back to back (usually within the same second)
        await using var gw = await GatewayFixture.StartFromFileAsync(Config() + """

                other.alias: {target: next, percent: 10}
            """);
        var original = await File.ReadAllTextAsync(gw.ConfigPath!);

        var first = await gw.PostAsync("/alias/promote", new { alias = "router.default", force = true });
        var between = await File.ReadAllTextAsync(gw.ConfigPath!);
        var second = await gw.PostAsync("/alias/promote", new { alias = "other.alias", force = true });

        Assert.True(first.Status == 200, first.ToString());
        Assert.True(second.Status == 200, second.ToString());
        var firstBackup = first.Json.GetProperty("backup").GetString()!;
        var secondBackup = second.Json.GetProperty("backup").GetString()!;
        Assert.NotEqual(firstBackup, secondBackup);
        Assert.Equal(original, await File.ReadAllTextAsync(firstBackup));
        Assert.Equal(between, await File.ReadAllTextAsync(secondBackup));
        Assert.Equal("next-1", (await gw.ChatAsync(GatewayFixture.MasterKey, "other.alias")).Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task Promote_AliasWithoutCanary_IsRefused()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config());
        var before = await File.ReadAllTextAsync(gw.ConfigPath!);

        var refused = await gw.PostAsync("/alias/promote", new { alias = "other.alias" });

        Assert.Equal(409, refused.Status);
        Assert.Equal("promotion_refused", refused.ErrorCode);
        Assert.Equal(before, await File.ReadAllTextAsync(gw.ConfigPath!));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(gw.ConfigPath!)!)); // no backup, no leftover
    }

    [Fact]
    public async Task Promote_MappingAliasInBothSections_MovesBoth_KeepsDropParamsAndHidden()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync("""
            model_list:
              - model_name: primary
                litellm_params:
                  model: mock/stable
                model_info:
                  id: stable-1
              - model_name: next
                litellm_params:
                  model: mock/next
                model_info:
                  id: next-1
            router_settings:
              model_group_alias:
                switch.alias: primary
            switchyard:
              aliases:
                switch.alias: {model: primary, drop_params: true, hidden: true}
              canaries:
                switch.alias: {target: next, percent: 10}
            """);

        var promoted = await gw.PostAsync("/alias/promote", new { alias = "switch.alias", force = true });

        Assert.True(promoted.Status == 200, promoted.ToString());
        var after = Switchyard.Core.Config.ConfigLoader.LoadFile(gw.ConfigPath!);
        Assert.Equal("next", after.Router.ModelGroupAlias["switch.alias"]);
        Assert.Contains("switch.alias", after.Router.DropParamsAliases);
        Assert.Contains("switch.alias", after.Router.HiddenAliases);
        Assert.Equal("primary", after.Canaries["switch.alias"].PromotedFrom);
        Assert.Null(after.Canaries["switch.alias"].Target);
        Assert.Equal("next-1", (await gw.ChatAsync(GatewayFixture.MasterKey, "switch.alias")).Header("x-switchyard-deployment"));
    }
}
