using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// The access log: one JSON line per request with who, what, where it went and what it cost, never a secret or a body.
/// A 404 for a misspelt alias, a 429 refusal and a successful call each write exactly one line (counted after the
/// gateway stopped, which drains the writer).
/// </summary>
public sealed class AccessLogTests
{
    private const string Yaml = """
        model_list:
          - model_name: router.default
            litellm_params:
              model: mock/primary
              mock_response: hello
              input_cost_per_token: 0.000001
              output_cost_per_token: 0.000002
            model_info:
              id: primary-1
          - model_name: broken
            litellm_params:
              model: mock/broken
              mock_fail_status: 500
            model_info:
              id: broken-1
          - model_name: spare
            litellm_params:
              model: mock/spare
              mock_response: from the spare
            model_info:
              id: spare-1
        router_settings:
          num_retries: 0
          fallbacks:
            - broken: [spare]
        switchyard:
          retry:
            base_delay: 0
        """;

    private static async Task<JsonElement> OneLineAsync(GatewayFixture gw, ApiResponse response)
    {
        var id = response.Header("X-Correlation-Id")!;
        await GatewayApi.WaitUntilAsync(() => gw.AccessLog.For(id).Count > 0, "the access line of " + id);
        return gw.AccessLog.For(id)[0];
    }

    [Fact]
    public async Task Unknown404_Refused429_Success_EachWriteExactlyOneLine()
    {
        var gw = await GatewayFixture.StartAsync(Yaml);
        ApiResponse notFound, refused, ok;
        string key, tokenId;
        try
        {
            (key, tokenId) = await gw.GenerateKeyAsync(new { key_alias = "agent-1", rpm_limit = 1 });
            notFound = await gw.ChatAsync(key, "Router.Default");
            ok = await gw.ChatAsync(key, "router.default");
            refused = await gw.ChatAsync(key, "router.default");
            Assert.Equal((404, 200, 429), (notFound.Status, ok.Status, refused.Status));
            foreach (var r in new[] { notFound, ok, refused })
            {
                await OneLineAsync(gw, r);
            }
        }
        finally
        {
            await gw.DisposeAsync(); // stopping drains the writer: every line there is to write is written
        }

        var lines = new[] { notFound, ok, refused }.Select(r => Assert.Single(gw.AccessLog.For(r.Header("X-Correlation-Id")!))).ToArray();

        var nf = lines[0];
        Assert.Equal(404, nf.GetProperty("status").GetInt32());
        Assert.Equal("model_not_found", nf.GetProperty("code").GetString());
        Assert.Equal("Router.Default", nf.GetProperty("alias").GetString());
        Assert.Equal(JsonValueKind.Null, nf.GetProperty("group").ValueKind);
        Assert.Equal(tokenId, nf.GetProperty("token_id").GetString());
        Assert.Equal("agent-1", nf.GetProperty("key_alias").GetString());

        var success = lines[1];
        Assert.Equal("access", success.GetProperty("log").GetString());
        Assert.Equal("POST", success.GetProperty("method").GetString());
        Assert.Equal("/v1/chat/completions", success.GetProperty("path").GetString());
        Assert.Equal(200, success.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, success.GetProperty("code").ValueKind);
        Assert.Equal("router.default", success.GetProperty("alias").GetString());
        Assert.Equal("router.default", success.GetProperty("group").GetString());
        Assert.Equal("primary-1", success.GetProperty("deployment").GetString());
        Assert.Equal(1, success.GetProperty("attempts").GetInt32());
        Assert.True(success.GetProperty("prompt_tokens").GetInt64() > 0);
        Assert.True(success.GetProperty("completion_tokens").GetInt64() > 0);
        Assert.True(success.GetProperty("cost_usd").GetDecimal() > 0);
        Assert.True(success.GetProperty("latency_ms").GetDouble() >= 0);
        Assert.Equal(ok.Header("X-Correlation-Id"), success.GetProperty("correlation_id").GetString());

        var limited = lines[2];
        Assert.Equal(429, limited.GetProperty("status").GetInt32());
        Assert.Equal("rpm_limit", limited.GetProperty("code").GetString());
        Assert.Equal("router.default", limited.GetProperty("alias").GetString());
        Assert.Equal(JsonValueKind.Null, limited.GetProperty("deployment").ValueKind);

        Assert.DoesNotContain(gw.AccessLog.Lines, l => l.Contains(key, StringComparison.Ordinal) || l.Contains(GatewayFixture.MasterKey, StringComparison.Ordinal));
        Assert.DoesNotContain(gw.AccessLog.Lines, l => l.Contains("aaaaaaaa", StringComparison.Ordinal)); // the prompt body
    }

    [Fact]
    public async Task NoToken_401_HasALineWithItsCode_ProbesAreLeftOut()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var denied = await gw.ChatAsync(null, "router.default");
        await gw.GetAsync("/health/readiness", token: null);
        await gw.GetAsync("/health/liveliness", token: null);
        var models = await gw.GetAsync("/v1/models");

        var line = await OneLineAsync(gw, denied);
        Assert.Equal((401, "missing_token"), (line.GetProperty("status").GetInt32(), line.GetProperty("code").GetString()));
        Assert.Equal(JsonValueKind.Null, line.GetProperty("token_id").ValueKind);
        Assert.Equal("master", (await OneLineAsync(gw, models)).GetProperty("token_id").GetString());
        Assert.DoesNotContain(gw.AccessLog.Records, r => r.GetProperty("path").GetString()!.StartsWith("/health/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotatedAwayToken_401Line_NamesTheOldTokenId()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (key, tokenId) = await gw.GenerateKeyAsync(new { key_alias = "old-agent" });
        Assert.Equal(200, (await gw.PostAsync("/key/regenerate", new { key = tokenId })).Status); // no grace: the old token is revoked

        var refused = await gw.ChatAsync(key, "router.default");

        var line = await OneLineAsync(gw, refused);
        Assert.Equal((401, "invalid_token"), (line.GetProperty("status").GetInt32(), line.GetProperty("code").GetString()));
        Assert.Equal((tokenId, "old-agent"), (line.GetProperty("token_id").GetString(), line.GetProperty("key_alias").GetString()));
    }

    [Fact]
    public async Task Fallback_AnswerNamesTheFallbackGroup_InHeaderAndLine()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var answer = await gw.ChatAsync(GatewayFixture.MasterKey, "broken");

        Assert.Equal(200, answer.Status);
        Assert.Equal("spare", answer.Header("x-switchyard-fallback"));
        var line = await OneLineAsync(gw, answer);
        Assert.Equal(("spare", "spare", "spare-1", 2), (line.GetProperty("fallback").GetString(), line.GetProperty("group").GetString(), line.GetProperty("deployment").GetString(), line.GetProperty("attempts").GetInt32()));
        Assert.Null((await gw.ChatAsync(GatewayFixture.MasterKey, "router.default")).Header("x-switchyard-fallback"));
    }

    [Fact]
    public async Task SampleZero_SuccessesLeftOut_FailuresStillWritten()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml + "\n  access_log:\n    sample_2xx: 0\n");

        var ok = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        var notFound = await gw.ChatAsync(GatewayFixture.MasterKey, "nope");

        await OneLineAsync(gw, notFound);
        Assert.Empty(gw.AccessLog.For(ok.Header("X-Correlation-Id")!));
    }

    [Fact]
    public async Task Disabled_NoLines()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml + "\n  access_log:\n    enabled: false\n");

        await gw.ChatAsync(GatewayFixture.MasterKey, "nope");
        await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        await gw.App.StopAsync();

        Assert.Empty(gw.AccessLog.Lines);
    }

    [Fact]
    public async Task Disabled_DashboardStillRecordsEveryInferenceCall()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml + "\n  access_log:\n    enabled: false\n");
        var recorder = gw.Service<Switchyard.Dashboard.DashboardRecorder>();

        var ok = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        var notFound = await gw.ChatAsync(GatewayFixture.MasterKey, "nope");
        await GatewayApi.WaitUntilAsync(() => recorder.Calls.Added >= 2, "both calls recorded"); // recorded as each request ends, after its answer

        var calls = recorder.Calls.NewestFirst();
        Assert.Equal(2, calls.Count);
        var okCall = Assert.Single(calls, c => c.CorrelationId == ok.Header("X-Correlation-Id"));
        Assert.Equal((200, "chat", "router.default", false), (okCall.Status, okCall.Operation, okCall.Alias, okCall.Logged));
        Assert.True(okCall.LatencyMs > 0);
        Assert.Single(okCall.AttemptLog);
        var failed = Assert.Single(recorder.Failures.NewestFirst());
        Assert.Equal((404, "model_not_found"), (failed.Status, failed.Code));
        Assert.Equal(notFound.Header("X-Correlation-Id"), failed.CorrelationId);
        await gw.App.StopAsync();
        Assert.Empty(gw.AccessLog.Lines);
    }

    [Fact]
    public void Config_BadValues_ErrorsWithPath()
    {
        var e = Assert.Throws<Switchyard.Core.Config.ConfigException>(() => Switchyard.Core.Config.ConfigLoader.Load(
            Yaml + "\n  access_log:\n    format: text\n    sample_2xx: 2\n    exclude_paths: [health]\n" + $"general_settings:\n  master_key: {GatewayFixture.MasterKey}\n", Path.GetTempPath(), _ => null));

        Assert.Contains(e.Errors, d => d.Path == "switchyard.access_log.format");
        Assert.Contains(e.Errors, d => d.Path == "switchyard.access_log.sample_2xx");
        Assert.Contains(e.Errors, d => d.Path == "switchyard.access_log.exclude_paths");
    }

    [Fact]
    public void FileSink_PastMaxSize_RollsOverAndKeepsMaxFiles()
    {
        var dir = CliProcess.NewFolder();
        var path = Path.Combine(dir, "access.log");
        var line = System.Text.Encoding.UTF8.GetBytes(new string('x', 99) + "\n");
        using (var sink = new Switchyard.AccessLog.FileAccessLogSink(path, maxBytes: 250, maxFiles: 2))
        {
            for (var i = 0; i < 10; i++)
            {
                sink.Write(line);
            }

            sink.Flush();
        }

        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        Assert.All(new[] { path, path + ".1", path + ".2" }, p => Assert.True(new FileInfo(p).Length <= 250));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task RealProcess_DefaultGoesToStdout_OneJsonLinePerCall()
    {
        var dir = CliProcess.NewFolder();
        var config = Path.Combine(dir, "switchyard.yaml");
        File.WriteAllText(config, Yaml + $"\n  store:\n    sqlite_path: {Path.Combine(dir, "gateway.db")}\ngeneral_settings:\n  master_key: {GatewayFixture.MasterKey}\n");
        await using var child = await ChildGateway.StartAsync(config);

        var (status, _, correlation) = await child.PostAsync("/v1/chat/completions", GatewayFixture.MasterKey, GatewayApi.ChatBody("router.default", 200, null));

        Assert.Equal(200, status);
        await GatewayApi.WaitUntilAsync(() => child.Output.Any(l => l.Contains(correlation!, StringComparison.Ordinal) && l.StartsWith("{\"log\":\"access\"", StringComparison.Ordinal)), "the access line on stdout");
        var line = JsonDocument.Parse(child.Output.Single(l => l.StartsWith("{\"log\":\"access\"", StringComparison.Ordinal) && l.Contains(correlation!, StringComparison.Ordinal))).RootElement;
        Assert.Equal("primary-1", line.GetProperty("deployment").GetString());
    }
}
