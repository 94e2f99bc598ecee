using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// The official openai and Anthropic npm SDKs and the Vercel AI SDK (tests/Switchyard.Tests/Clients/node, pinned in its package-lock.json) against the
/// gateway. Skipped only when node is not installed; node_modules is installed with <c>npm ci</c> when missing.
/// </summary>
public sealed class NodeSdkTests
{
    private static readonly TimeSpan ProcessBound = TimeSpan.FromMinutes(3);

    [NodeFact]
    public async Task NpmSdk_StreamBreaksMidway_Raises()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = OpenAISdkStreamFailureTests.BreaksAfterTwoChunks(); // closed without [DONE]
        await using var gw = await GatewayFixture.StartAsync(OpenAISdkStreamFailureTests.Single(upstream));

        var result = await RunAsync("mid-stream-break.mjs", gw, "chat");

        Assert.True(result.GetProperty("outcome").GetString() == "raised", "the SDK finished normally on a broken stream: " + result);
        Assert.Equal("Hello", result.GetProperty("text").GetString());
        Assert.Equal(OpenAISdkStreamFailureTests.UpstreamRequestId, result.GetProperty("requestId").GetString());
    }

    [NodeFact]
    public async Task NpmSdk_StreamCompletes_DoesNotRaise()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "Hel", "lo");
        await using var gw = await GatewayFixture.StartAsync(OpenAISdkStreamFailureTests.Single(upstream));

        var result = await RunAsync("mid-stream-break.mjs", gw, "chat");

        Assert.Equal("completed", result.GetProperty("outcome").GetString());
        Assert.Equal("Hello", result.GetProperty("text").GetString());
    }

    [NodeFact]
    public async Task VercelAiSdk_ResponsesAndMessages_TextStreamToolLoopAndObject_OfflineMock()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: agent
                litellm_params: { model: mock/agent }
            """);

        var result = await RunAsync("ai-sdk.mjs", gw, "agent");

        foreach (var protocol in new[] { "responses", "messages" })
        {
            var r = result.GetProperty(protocol);
            Assert.False(r.TryGetProperty("error", out var error), $"{protocol}: the AI SDK failed: {r}");
            Assert.Contains("ping", r.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.True(r.GetProperty("inputTokens").GetInt32() > 0, protocol + ": no input tokens");
            Assert.Equal(r.GetProperty("text").GetString(), r.GetProperty("streamed").GetString());
            Assert.True(r.GetProperty("streamedOutputTokens").GetInt32() > 0, protocol + ": a stream without output usage");

            // the mock calls the offered tool, then answers the tool result with text, so the loop ends by itself
            Assert.Equal(["tool-calls", "stop"], r.GetProperty("loopFinishReasons").EnumerateArray().Select(e => e.GetString() ?? "").ToArray());
            Assert.Contains("celsius", r.GetProperty("loopText").GetString(), StringComparison.Ordinal);
            var person = r.GetProperty("object");
            Assert.Equal(JsonValueKind.String, person.GetProperty("name").ValueKind);
            Assert.Equal(JsonValueKind.Number, person.GetProperty("age").ValueKind);
        }
    }

    [NodeFact]
    public async Task AnthropicSdk_CreateStreamToolRoundBetaCountTokensModels_AndFailuresAsTypedErrors()
    {
        await using var busy = await FakeUpstream.StartAsync();
        busy.Handler = (c, _) => AnthropicWire.WriteErrorAsync(c, 529, "overloaded_error", "Overloaded");
        await using var limited = await FakeUpstream.StartAsync();
        limited.Handler = (c, _) => AnthropicWire.WriteErrorAsync(c, 429, "rate_limit_error", "slow down", TimeSpan.FromSeconds(30));
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: agent
                litellm_params: { model: mock/agent }
              - model_name: busy
                litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "{{busy.BaseUrl}}", api_key: sk-ant-upstream }
              - model_name: limited
                litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "{{limited.BaseUrl}}", api_key: sk-ant-upstream }
            router_settings: { num_retries: 0 }
            """);
        var (key, _) = await gw.GenerateKeyAsync(new { models = new[] { "agent", "busy", "limited" } });

        var result = await RunAsync("anthropic-sdk.mjs", gw, "agent", key, ("SWITCHYARD_FAILING_MODELS", "busy,limited"));

        foreach (var step in result.EnumerateObject())
        {
            Assert.False(step.Value.ValueKind == JsonValueKind.Object && step.Value.TryGetProperty("error", out _), $"{step.Name}: the SDK failed: {step.Value}");
        }

        var create = result.GetProperty("create");
        Assert.Equal("message", create.GetProperty("type").GetString());
        Assert.Contains("ping", create.GetProperty("text").GetString(), StringComparison.Ordinal);
        var loop = result.GetProperty("toolLoop");
        Assert.Equal("tool_use", loop.GetProperty("firstStop").GetString());
        Assert.Equal("get_weather", loop.GetProperty("toolName").GetString());
        Assert.Equal("object", loop.GetProperty("toolInputType").GetString());
        Assert.Equal(["content_block_delta", "content_block_start", "content_block_stop", "message_delta", "message_start", "message_stop"],
            loop.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("end_turn", loop.GetProperty("secondStop").GetString());
        Assert.Contains("21 celsius", loop.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("ping", result.GetProperty("beta").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(result.GetProperty("countTokens").GetProperty("inputTokens").GetInt32() > 0);
        var models = result.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["agent", "busy", "limited"], models.Select(m => m.GetProperty("id").GetString()!).ToArray());
        Assert.All(models, m => Assert.Equal("model", m.GetProperty("type").GetString()));

        // an upstream 529 that retries did not cure is the gateway's 502 upstream_server_error: Anthropic's api_error, an InternalServerError
        var overloaded = result.GetProperty("failure:busy");
        Assert.True(overloaded.GetProperty("raised").GetBoolean() && overloaded.GetProperty("isApiError").GetBoolean(), overloaded.ToString());
        Assert.Equal("InternalServerError", overloaded.GetProperty("className").GetString());
        Assert.Equal(502, overloaded.GetProperty("status").GetInt32());
        Assert.Equal("api_error", overloaded.GetProperty("errorType").GetString());
        Assert.Equal("error", overloaded.GetProperty("bodyType").GetString());
        Assert.NotNull(overloaded.GetProperty("retryAfter").GetString());
        var rateLimited = result.GetProperty("failure:limited");
        Assert.Equal("RateLimitError", rateLimited.GetProperty("className").GetString());
        Assert.Equal(429, rateLimited.GetProperty("status").GetInt32());
        Assert.Equal("rate_limit_error", rateLimited.GetProperty("errorType").GetString());
        Assert.Equal("30", rateLimited.GetProperty("retryAfter").GetString());
    }

    private static async Task<JsonElement> RunAsync(string script, GatewayFixture gw, string model, string key = GatewayFixture.MasterKey, params (string Name, string Value)[] env)
    {
        await NodeModules.EnsureAsync();
        var start = new ProcessStartInfo(NodeFactAttribute.Node!, script)
        {
            WorkingDirectory = NodeModules.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SWITCHYARD_BASE_URL"] = gw.BaseUrl + "/v1";
        start.Environment["SWITCHYARD_KEY"] = key;
        start.Environment["SWITCHYARD_MODEL"] = model;
        foreach (var (name, value) in env)
        {
            start.Environment[name] = value;
        }

        var (code, stdout, stderr) = await Run(start);
        Assert.True(code == 0, $"node {script} exited {code}: {stderr}");
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        Assert.False(string.IsNullOrEmpty(line), $"node {script} printed nothing; stderr: {stderr}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(ProcessBound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The node client directory; its node_modules comes from the lockfile (<c>npm ci</c>) the first time it is needed.</summary>
    private static class NodeModules
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);

        public static string Directory { get; } = Path.Combine(SourceDirectory(), "node");

        public static async Task EnsureAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (new[] { "openai", "ai", "@anthropic-ai/sdk" }.All(p => File.Exists(Path.Combine(Directory, "node_modules", p, "package.json"))))
                {
                    return;
                }

                var npm = NodeFactAttribute.Find("npm");
                Assert.True(npm is not null, "node is installed but npm is not; run `npm ci` in " + Directory);
                var start = new ProcessStartInfo(npm, "ci --no-audit --no-fund")
                {
                    WorkingDirectory = Directory,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                var (code, _, stderr) = await Run(start);
                Assert.True(code == 0, $"`npm ci` in {Directory} failed ({code}): {stderr}");
            }
            finally
            {
                Gate.Release();
            }
        }

        private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
    }
}

/// <summary>A fact that needs node on the PATH; skipped, saying so, when it is absent.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (Node is null)
        {
            Skip = "node is not installed (not on PATH): the npm SDK tests need Node.js 20 or later";
        }
    }

    public static string? Node { get; } = Find("node");

    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
