using Switchyard.Cli.Doctor;
using Switchyard.Core.Config;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>
/// The embedded default with no provider keys answers agents from its offline standby (mock text, HTTP 200): every such
/// answer says so in a header, readiness says degraded (still 200), doctor warns and the start-up log warns. A mock the
/// operator configured on purpose says it is a mock, but is no standby and leaves readiness healthy.
/// </summary>
public sealed class OfflineStandbyTests
{
    private static async Task<GatewayFixture> DefaultAsync(IDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string> { ["SWITCHYARD_MASTER_KEY"] = GatewayFixture.MasterKey };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return await GatewayFixture.StartAsync(await File.ReadAllTextAsync(TestPaths.DefaultConfig), env: env);
    }

    private const string DeliberateMock = """
        model_list:
          - model_name: test.model
            litellm_params:
              model: mock/test
              mock_response: ok
        """;

    [Fact]
    public async Task DefaultConfig_NoProviderKeys_AnswerCarriesOfflineStandbyHeaderNamingTheDeployment()
    {
        await using var gw = await DefaultAsync();

        var answer = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");

        Assert.Equal(200, answer.Status);
        Assert.Equal("true", answer.Header(OfflineStandby.Header));
        Assert.Equal("true", answer.Header("x-switchyard-mock"));
        Assert.Equal("mock-router-default", answer.Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task DefaultConfig_NoProviderKeys_ReadinessIsDegradedWith200AndSaysWhy()
    {
        await using var gw = await DefaultAsync();

        var ready = await gw.GetAsync("/health/readiness", token: null);

        Assert.Equal(200, ready.Status);
        Assert.Equal("degraded", ready.Json.GetProperty("status").GetString());
        var reason = ready.Json.GetProperty("reasons")[0].GetString();
        Assert.Contains("offline standby", reason, StringComparison.Ordinal);
        Assert.Contains("OPENAI_API_KEY", reason, StringComparison.Ordinal);
        Assert.Equal("router.default,draft.fast,embed.default,rerank.default", string.Join(",", ready.Json.GetProperty("offline_standby_groups").EnumerateArray().Select(g => g.GetString())));
    }

    [Fact]
    public async Task DefaultConfig_NoProviderKeys_StartUpLogsOneWarningSayingHowToConfigureAKey()
    {
        await using var gw = await DefaultAsync();

        var line = Assert.Single(gw.Logs.Entries, e => e.EventId.Id == 130);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("mock answers", line.Message, StringComparison.Ordinal);
        Assert.Contains("OPENAI_API_KEY", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultConfig_NoProviderKeys_RerankDefaultAnswersFromTheMockStandby()
    {
        await using var gw = await DefaultAsync();

        var answer = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", GatewayFixture.MasterKey, """{"model":"rerank.default","query":"ping","documents":["pong","ping"]}""");

        Assert.True(answer.Status == 200, answer.ToString());
        Assert.Equal("true", answer.Header(OfflineStandby.Header));
        Assert.Equal("mock-rerank", answer.Header("x-switchyard-deployment"));
        Assert.Equal(1, answer.Json.GetProperty("results")[0].GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task DefaultConfig_AllProviderKeysSet_ReadinessHealthyAndNoStandbyWarning()
    {
        await using var gw = await DefaultAsync(new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-not-used", ["ANTHROPIC_API_KEY"] = "sk-ant-test-not-used", ["COHERE_API_KEY"] = "co-test-not-used" });

        var ready = await gw.GetAsync("/health/readiness", token: null);

        Assert.Equal("healthy", ready.Json.GetProperty("status").GetString());
        Assert.False(ready.Json.TryGetProperty("offline_standby_groups", out _));
        Assert.DoesNotContain(gw.Logs.Entries, e => e.EventId.Id == 130);
    }

    [Fact]
    public async Task DeliberateMock_AnswerSaysMockButNotStandby_ReadinessHealthy()
    {
        await using var gw = await GatewayFixture.StartAsync(DeliberateMock);

        var answer = await gw.ChatAsync(GatewayFixture.MasterKey, "test.model");
        var ready = await gw.GetAsync("/health/readiness", token: null);

        Assert.Equal("true", answer.Header("x-switchyard-mock"));
        Assert.Null(answer.Header(OfflineStandby.Header));
        Assert.Equal("healthy", ready.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Doctor_DefaultConfigWithoutKeys_WarnsSY118_AndNotForADeliberateMock()
    {
        var standby = ConfigLoader.Load(await File.ReadAllTextAsync(TestPaths.DefaultConfig), Path.GetTempPath(), name => name == "SWITCHYARD_MASTER_KEY" ? GatewayFixture.MasterKey : null);
        var deliberate = ConfigLoader.Load(DeliberateMock + $"\ngeneral_settings:\n  master_key: {GatewayFixture.MasterKey}\n", Path.GetTempPath(), _ => null);

        var finding = Assert.Single(OfflineStandbyCheck.Run(standby));
        Assert.Equal(("SY118", Finding.Warn), (finding.Id, finding.Severity));
        Assert.Contains("draft.fast", finding.Message, StringComparison.Ordinal);
        Assert.Empty(OfflineStandbyCheck.Run(deliberate));
    }
}
