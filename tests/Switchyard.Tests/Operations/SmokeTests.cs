using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>switchyard smoke against a gateway on the mock provider.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SmokeTests
{
    [Fact]
    public async Task Smoke_MockAliases_PassesAndShowsThrottling()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat.group
                litellm_params: { model: mock/chat }
                model_info: { id: mock-chat }
              - model_name: embed.default
                litellm_params: { model: mock/embed }
            router_settings:
              model_group_alias: { router.default: chat.group }
            """);
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey + "\n");

        var (code, output) = await ConsoleCollection.RunAsync(() => SmokeCommand.Create().Parse(["--url", gw.BaseUrl, "--token-file", tokenFile]).InvokeAsync());

        Assert.Equal(0, code);
        Assert.Matches(@"router\.default\s+mock-chat\s+\d+ ms\s+200", output);
        Assert.Matches(@"embed\.default\s+\S+\s+\d+ ms\s+200", output);
        Assert.Contains("200,200,200,429,429", output, StringComparison.Ordinal);
        Assert.Contains("smoke: all checks passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_FailingAlias_ExitsNonZero()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: broken
                litellm_params: { model: mock/broken, mock_fail_status: 500 }
            switchyard: { retry: { base_delay: 0 } }
            """);
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey);

        var (code, output) = await ConsoleCollection.RunAsync(() => SmokeCommand.Create().Parse(["--url", gw.BaseUrl, "--token-file", tokenFile, "--skip-throttle"]).InvokeAsync());

        Assert.Equal(1, code);
        Assert.Matches(@"broken\s+-\s+\d+ ms\s+502", output);
    }
}

/// <summary>Tests that capture Console output run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";

    public static async Task<(int Code, string Output)> RunAsync(Func<Task<int>> run)
    {
        var previous = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            var code = await run();
            return (code, writer.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }
}
