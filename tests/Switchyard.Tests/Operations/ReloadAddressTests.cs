using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>The real executable started with --port (as ChildGateway does): reloads warn only about real address changes.</summary>
public sealed class ReloadAddressTests
{
    private const string AddressChanged = "the listening address changed";

    private static string Yaml(string host) => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
        general_settings:
          master_key: {{GatewayFixture.MasterKey}}
        switchyard:
          server:
            host: {{host}}
        """;

    [Fact]
    public async Task Reload_UnchangedFileWithPortFromCommandLine_LogsNoAddressChangeButAHostChangeDoes()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "switchyard.yaml");
        File.WriteAllText(config, Yaml("127.0.0.1") + $"\n  store:\n    sqlite_path: {Path.Combine(dir, "gateway.db")}\n");
        await using var child = await ChildGateway.StartAsync(config);

        var (status, body, _) = await child.PostAsync("/config/reload", GatewayFixture.MasterKey, "{}");
        Assert.True(status == 200, body);
        await GatewayApi.WaitUntilAsync(() => child.Output.Any(l => l.Contains("config reloaded", StringComparison.Ordinal)), "the reload line");
        Assert.DoesNotContain(child.Output, l => l.Contains(AddressChanged, StringComparison.Ordinal));

        File.WriteAllText(config, Yaml("0.0.0.0") + $"\n  store:\n    sqlite_path: {Path.Combine(dir, "gateway.db")}\n");
        (status, body, _) = await child.PostAsync("/config/reload", GatewayFixture.MasterKey, "{}");
        Assert.True(status == 200, body);
        await GatewayApi.WaitUntilAsync(() => child.Output.Any(l => l.Contains(AddressChanged, StringComparison.Ordinal)), "the address-change line");
    }
}
