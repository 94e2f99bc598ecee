using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// The official openai npm SDK and the Vercel AI SDK (tests/Switchyard.Tests/Clients/node, pinned in its package-lock.json) against the
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

    private static async Task<JsonElement> RunAsync(string script, GatewayFixture gw, string model)
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
        start.Environment["SWITCHYARD_KEY"] = GatewayFixture.MasterKey;
        start.Environment["SWITCHYARD_MODEL"] = model;
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
                if (File.Exists(Path.Combine(Directory, "node_modules", "openai", "package.json")) && File.Exists(Path.Combine(Directory, "node_modules", "ai", "package.json")))
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
