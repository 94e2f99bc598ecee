using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Operations;

namespace Switchyard.Tests.Dashboard;

/// <summary><c>switchyard audit</c>: the recent audit rows from GET /audit/log, filtered, as a table.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AuditCliTests
{
    [Fact]
    public async Task Audit_ListsRecentRowsNewestFirst_FilteredByActionPrefix()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: { model: mock/chat }
            """);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "research" })).Status);
        var (_, hash) = await gw.GenerateKeyAsync(new { team_id = "research", key_alias = "agent-1" });
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey);

        var (code, output) = await ConsoleCollection.RunAsync(() => AuditCommand.Create().Parse(["--since", "1h", "--url", gw.BaseUrl, "--token-file", tokenFile]).InvokeAsync());
        var (keyCode, keyOutput) = await ConsoleCollection.RunAsync(() => AuditCommand.Create().Parse(["--action", "key.", "--url", gw.BaseUrl, "--token-file", tokenFile]).InvokeAsync());
        var (badCode, _) = await ConsoleCollection.RunAsync(() => AuditCommand.Create().Parse(["--since", "someday", "--url", gw.BaseUrl, "--token-file", tokenFile]).InvokeAsync());

        Assert.Equal(0, code);
        Assert.Contains("2 of 2 audit rows", output, StringComparison.Ordinal);
        Assert.True(output.IndexOf("key.generate", StringComparison.Ordinal) < output.IndexOf("team.new", StringComparison.Ordinal), output);
        Assert.Matches(@"master\s+-\s+key\.generate\s+" + hash[..24] + @"\s+ok 200", output);
        Assert.Equal(0, keyCode);
        Assert.DoesNotContain("team.new", keyOutput, StringComparison.Ordinal);
        Assert.Equal(2, badCode);
    }
}
