using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Cli;
using Switchyard.Cli.Doctor;
using Switchyard.Core.Config;
using Switchyard.Operations;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// Reload says every warning (with "did you mean" for a misspelt key) and every change that waits for a restart;
/// config show and GET /config render the effective config the same way with secrets redacted; doctor notices a file
/// edited but not reloaded.
/// </summary>
public sealed class ConfigVisibilityTests
{
    private const string Secret = "sk-provider-secret-0123456789";

    private static string Yaml(string extraParams = "", int port = 4000) => $"""
        model_list:
          - model_name: router.default
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: http://127.0.0.1:9/v1
              api_key: {Secret}{extraParams}
            model_info:
              id: gpt-1
        switchyard:
          server:
            port: {port}
          store:
            sqlite_path: {Path.Combine(Path.GetTempPath(), "switchyard-tests", "config-visibility.db")}
        """;

    [Fact]
    public void Load_MisspeltKeys_WarningSaysDidYouMean()
    {
        var config = ConfigLoader.Load(Yaml("\n      max_retires: 3") + "\nrouter_settings:\n  num_retires: 1\n" + $"general_settings:\n  master_key: {GatewayFixture.MasterKey}\n", Path.GetTempPath(), _ => null);

        Assert.Contains(config.Warnings, w => w.Path == "model_list[0].litellm_params.max_retires" && w.Message.Contains("did you mean 'max_retries'?", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.Path == "router_settings.num_retires" && w.Message.Contains("did you mean 'num_retries'?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_MisspeltKeyAndPortChange_AnswerListsTheWarningAndTheRestart_CliPrintsBoth()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml());
        gw.WriteConfig(Yaml("\n      max_retires: 3", port: 4001));

        var reload = await gw.PostAsync("/config/reload", new { });

        Assert.Equal(200, reload.Status);
        var warning = Assert.Single(reload.Json.GetProperty("warnings").EnumerateArray());
        Assert.Equal("model_list[0].litellm_params.max_retires", warning.GetProperty("path").GetString());
        Assert.Contains("did you mean 'max_retries'?", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        var restart = Assert.Single(reload.Json.GetProperty("restart_required").EnumerateArray());
        Assert.Equal("switchyard.server.port", restart.GetProperty("path").GetString());
        Assert.Contains("4000", restart.GetProperty("message").GetString(), StringComparison.Ordinal);

        var text = AdminCommands.ReloadText(JsonNode.Parse(reload.Body)!);
        Assert.Contains("1 warning, 1 change waiting for a restart", text, StringComparison.Ordinal);
        Assert.Contains("warning: model_list[0].litellm_params.max_retires (line ", text, StringComparison.Ordinal);
        Assert.Contains("did you mean 'max_retries'?", text, StringComparison.Ordinal);
        Assert.Contains("restart needed: switchyard.server.port: changed from 4000 to 4001", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetConfig_SecretsRedacted_SameAsTheFileRendered_TenantAdminRefused()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml());

        var live = await gw.GetAsync("/config");
        var noToken = await gw.GetAsync("/config", token: null);

        Assert.Equal(200, live.Status);
        Assert.Equal(401, noToken.Status);
        Assert.DoesNotContain(Secret, live.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.MasterKey, live.Body, StringComparison.Ordinal);
        var deployment = live.Json.GetProperty("deployments")[0];
        Assert.Equal(EffectiveConfig.Marker, deployment.GetProperty("api_key").GetString());
        Assert.Equal("http://127.0.0.1:9/v1", deployment.GetProperty("api_base").GetString());
        Assert.Equal(EffectiveConfig.Marker, live.Json.GetProperty("auth").GetProperty("master_keys")[0].GetProperty("value").GetString());
        Assert.Equal(ConfigFileHash.Of(await File.ReadAllTextAsync(gw.ConfigPath!)), live.Json.GetProperty("source_file_hash").GetString());

        var file = Encoding.UTF8.GetString(EffectiveConfig.Render(ConfigLoader.LoadFile(gw.ConfigPath!)));
        Assert.Equal(Normalize(file), Normalize(live.Body));
    }

    [Fact]
    public void Render_SecretsFromEnvironmentAndInlineAlertUrls_NeverPrinted()
    {
        var yaml = """
            model_list:
              - model_name: a
                litellm_params:
                  model: anthropic/claude
                  api_key: os.environ/ANTHROPIC_KEY_FOR_TEST
                  api_base: https://user:pw-in-url@example.test/v1?key=q-secret
            general_settings:
              master_key: os.environ/MASTER_FOR_TEST
            switchyard:
              alerts:
                sinks:
                  - type: webhook
                    url: https://hooks.example.test/T000/B000/webhook-secret-path
                    headers:
                      Authorization: Bearer header-secret-value
            """;
        var env = new Dictionary<string, string> { ["ANTHROPIC_KEY_FOR_TEST"] = "env-secret-value-1", ["MASTER_FOR_TEST"] = "sk-master-from-env-2" };
        var config = ConfigLoader.Load(yaml, Path.GetTempPath(), n => env.GetValueOrDefault(n));

        var text = Encoding.UTF8.GetString(EffectiveConfig.Render(config));

        foreach (var secret in new[] { "env-secret-value-1", "sk-master-from-env-2", "pw-in-url", "q-secret", "webhook-secret-path", "header-secret-value" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Contains("example.test", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigShow_Cli_PrintsRedactedJson_EqualToGetConfig()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml());

        var (code, stdout, stderr) = await CliProcess.RunAsync(["config", "show", "--redacted", "--config", gw.ConfigPath!]);
        var (liveCode, liveOut, liveErr) = await CliProcess.RunAsync(["config", "show", "--live", "--url", gw.BaseUrl], new Dictionary<string, string> { ["SWITCHYARD_TOKEN"] = GatewayFixture.MasterKey });

        Assert.True(code == 0, stderr);
        Assert.True(liveCode == 0, liveErr);
        Assert.DoesNotContain(Secret, stdout, StringComparison.Ordinal);
        Assert.Contains(EffectiveConfig.Marker, stdout, StringComparison.Ordinal);
        Assert.Equal(Normalize(stdout), Normalize(liveOut));
    }

    [Fact]
    public async Task Doctor_FileEditedButNotReloaded_WarnsSY180_UntilReloaded()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml());
        var url = new Uri(gw.BaseUrl);

        Assert.Equal("SY182", Assert.Single(await LiveConfigCheck.RunAsync(gw.ConfigPath!, url, CancellationToken.None)).Id);

        gw.WriteConfig(Yaml("\n      timeout: 30"));
        var edited = Assert.Single(await LiveConfigCheck.RunAsync(gw.ConfigPath!, url, CancellationToken.None));
        Assert.Equal(("SY180", Finding.Warn), (edited.Id, edited.Severity));

        Assert.Equal(200, (await gw.PostAsync("/config/reload", new { })).Status);
        Assert.Equal("SY182", Assert.Single(await LiveConfigCheck.RunAsync(gw.ConfigPath!, url, CancellationToken.None)).Id);
    }

    /// <summary>Compared as parsed JSON (the CLI and the endpoint may indent differently).</summary>
    private static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
