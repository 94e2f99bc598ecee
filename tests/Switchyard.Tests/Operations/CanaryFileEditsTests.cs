using Switchyard.Core.Config;
using Switchyard.Operations.Canaries;

namespace Switchyard.Tests.Operations;

/// <summary>Promotion, rollback and finalize as text edits: every comment and untouched line stays as it was.</summary>
public sealed class CanaryFileEditsTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 10, 0, 0, TimeSpan.Zero);

    private static string Write(string yaml)
    {
        var folder = Path.Combine(Path.GetTempPath(), "switchyard-tests", "edit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "config.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string FlowStyle = """
        # top comment
        model_list:
          - {model_name: "gpt-group", litellm_params: {model: mock/a}}   # quoted group name
          - {model_name: claude-group, litellm_params: {model: mock/b}}
        router_settings:
          model_group_alias: {router.default: "gpt-group"}  # flow aliases
        switchyard:
          aliases:
            router.default: {model: "gpt-group", drop_params: true}   # mapping entry
          canaries: {router.default: {target: claude-group, percent: 10}}   # flow canary
        # bottom comment
        general_settings: {master_key: sk-edit-1234}
        """;

    [Fact]
    public async Task FlowStyleAndQuotedValues_PromoteRollbackFinalize_KeepEveryOtherLine()
    {
        var path = Write(FlowStyle);

        var promoted = await CanaryFileEdits.PromoteAsync(path, "router.default", Now, Now.AddHours(1));

        Assert.True(promoted.Succeeded, promoted.Message);
        var text = await File.ReadAllTextAsync(path);
        foreach (var comment in new[] { "# top comment", "# quoted group name", "# flow aliases", "# mapping entry", "# flow canary", "# bottom comment" })
        {
            Assert.Contains(comment, text, StringComparison.Ordinal);
        }

        Assert.Contains("""  - {model_name: "gpt-group", litellm_params: {model: mock/a}}   # quoted group name""", text, StringComparison.Ordinal);
        var config = ConfigLoader.LoadFile(path);
        Assert.Equal("claude-group", config.Router.ModelGroupAlias["router.default"]);
        Assert.Contains("router.default", config.Router.DropParamsAliases);
        Assert.Equal("gpt-group", config.Canaries["router.default"].PromotedFrom);
        Assert.Equal(10, config.Canaries["router.default"].PromotedPercent);
        Assert.Equal(Now.AddHours(1), config.Canaries["router.default"].GraceUntil);
        Assert.Equal("gpt-group", config.Canaries["router.default"].GraceFallback(Now));
        Assert.Null(config.Canaries["router.default"].GraceFallback(Now.AddHours(2)));

        var rolledBack = await CanaryFileEdits.RollbackAsync(path, "router.default", Now);
        Assert.True(rolledBack.Succeeded, rolledBack.Message);
        config = ConfigLoader.LoadFile(path);
        Assert.Equal("gpt-group", config.Router.ModelGroupAlias["router.default"]);
        Assert.Equal(new CanaryConfig("claude-group", 0), config.Canaries["router.default"] with { Checks = CanaryChecks.Default });

        // finalize has nothing to do now; promote again (forced by the caller) and finalize
        Assert.False((await CanaryFileEdits.FinalizeAsync(path, "router.default", Now)).Succeeded);
        var again = await CanaryFileEdits.PromoteAsync(path, "router.default", Now, Now);
        Assert.True(again.Succeeded, again.Message + "\n" + await File.ReadAllTextAsync(path));
        var finalized = await CanaryFileEdits.FinalizeAsync(path, "router.default", Now);
        Assert.True(finalized.Succeeded, finalized.Message + "\n" + await File.ReadAllTextAsync(path));
        config = ConfigLoader.LoadFile(path);
        Assert.Empty(config.Canaries);
        Assert.Equal("claude-group", config.Router.ModelGroupAlias["router.default"]);
        Assert.Contains("# flow canary", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Contains("# bottom comment", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_LeavesNoTempFile_AndRefusesAnAliasWithoutCanary()
    {
        var path = Write(FlowStyle.Replace("canaries: {router.default: {target: claude-group, percent: 10}}", "canaries: {}", StringComparison.Ordinal));
        var before = await File.ReadAllTextAsync(path);

        var refused = await CanaryFileEdits.PromoteAsync(path, "router.default", Now, Now);

        Assert.False(refused.Succeeded);
        Assert.Equal(before, await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
