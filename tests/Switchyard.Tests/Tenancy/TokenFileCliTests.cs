using System.Diagnostics;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Token files as the seed playbook uses them: <c>switchyard keys create ... &gt; agent.key</c> then
/// <c>Authorization: Bearer $(cat agent.key)</c> in curl; <c>--out FILE</c> (0600, no overwrite without --force); token
/// files with comments and CRLF for the CLI's --token-file.
/// </summary>
public sealed class TokenFileCliTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: pong }
        """;

    private static string MasterKeyFile(string text = GatewayFixture.MasterKey + "\n")
    {
        var file = Path.Combine(CliProcess.NewFolder(), "master.key");
        File.WriteAllText(file, text);
        return file;
    }

    [Fact]
    public async Task KeysCreate_RedirectedToAFile_ThePlaybooksCurlWithCatWorks()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var dir = CliProcess.NewFolder();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        // the playbook's own lines, run by bash: the token file from a redirect, the token from $(cat ...)
        var (code, stdout, stderr) = await BashAsync(dir, """
            set -eu
            "$DOTNET" "$DLL" keys create --models chat --url "$URL" --token-file "$MASTER" > agent.key
            curl -sS -o answer.json -w '%{http_code}' "$URL/v1/chat/completions" \
              -H "Authorization: Bearer $(cat agent.key)" \
              -H "Content-Type: application/json" \
              -d '{"model":"chat","messages":[{"role":"user","content":"ping"}]}'
            """, new Dictionary<string, string> { ["DOTNET"] = dotnet, ["DLL"] = ChildGateway.GatewayDll, ["URL"] = gw.BaseUrl, ["MASTER"] = MasterKeyFile() });

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Equal("200", stdout.Trim());
        var lines = File.ReadAllText(Path.Combine(dir, "agent.key")).Split('\n');
        Assert.Equal(2, lines.Length); // one line and its newline
        Assert.StartsWith("sk-", lines[0], StringComparison.Ordinal);
        Assert.Equal("", lines[1]);
        Assert.Contains("token id", stderr, StringComparison.Ordinal); // the note went to stderr
        Assert.Contains("pong", File.ReadAllText(Path.Combine(dir, "answer.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_Out_WritesA0600FileAndNothingOnStdout_AndRefusesToOverwrite()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var master = MasterKeyFile();
        var file = Path.Combine(CliProcess.NewFolder(), "agent.key");

        var (code, stdout, stderr) = await CliProcess.RunAsync(["keys", "create", "--models", "chat", "--out", file, "--url", gw.BaseUrl, "--token-file", master]);

        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("written to " + file, stderr, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var token = File.ReadAllText(file);
        Assert.Matches("^sk-[^\n]+\n$", token);
        Assert.Equal(200, (await gw.ChatAsync(token.Trim(), "chat")).Status);

        var before = await KeyCountAsync(gw);
        var (again, againOut, againErr) = await CliProcess.RunAsync(["keys", "create", "--models", "chat", "--out", file, "--url", gw.BaseUrl, "--token-file", master]);

        Assert.Equal(2, again);
        Assert.Equal("", againOut);
        Assert.Contains("exists", againErr, StringComparison.Ordinal);
        Assert.Contains("--force", againErr, StringComparison.Ordinal);
        Assert.Equal(token, File.ReadAllText(file));
        Assert.Equal(before, await KeyCountAsync(gw)); // refused before any key was issued
    }

    [Fact]
    public async Task KeysCreate_OutWithForce_ReplacesTheFileAndMakesIt0600()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var file = Path.Combine(CliProcess.NewFolder(), "agent.key");
        File.WriteAllText(file, "old\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (code, _, stderr) = await CliProcess.RunAsync(["keys", "create", "--out", file, "--force", "--url", gw.BaseUrl, "--token-file", MasterKeyFile()]);

        Assert.True(code == 0, stderr);
        Assert.StartsWith("sk-", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task KeysRotate_PrintsOnlyTheNewTokenOnStdout()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (_, hash) = await gw.GenerateKeyAsync(new { models = new[] { "chat" } });

        var (code, stdout, stderr) = await CliProcess.RunAsync(["keys", "rotate", hash, "--grace", "1h", "--url", gw.BaseUrl, "--token-file", MasterKeyFile()]);

        Assert.True(code == 0, stderr);
        Assert.Matches("^sk-[^\n]+\n$", stdout);
        Assert.Contains("rotated from " + hash, stderr, StringComparison.Ordinal);
        Assert.Equal(200, (await gw.ChatAsync(stdout.Trim(), "chat")).Status);
    }

    [Theory]
    [InlineData("# the gateway's master key\r\n" + GatewayFixture.MasterKey + "\r\n")]
    [InlineData("\n\n" + GatewayFixture.MasterKey + "\n# note\n")]
    [InlineData(GatewayFixture.MasterKey)]
    public async Task TokenFile_WithCommentsBlankLinesOrCrlf_IsAccepted(string text)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var (code, stdout, stderr) = await CliProcess.RunAsync(["keys", "list", "--json", "--url", gw.BaseUrl, "--token-file", MasterKeyFile(text)]);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, JsonDocument.Parse(stdout).RootElement.GetProperty("total_count").GetInt32());
    }

    private static async Task<int> KeyCountAsync(GatewayFixture gw) => (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32();

    private static async Task<(int Code, string Stdout, string Stderr)> BashAsync(string dir, string script, IDictionary<string, string> env)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SWITCHYARD_", StringComparison.Ordinal)).ToArray())
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = dir;
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a bound against hanging, not a timing assertion
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
