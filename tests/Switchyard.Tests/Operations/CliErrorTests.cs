using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>Ordinary CLI mistakes answer one clear line on stderr and a non-zero exit, never a .NET stack trace.</summary>
public sealed class CliErrorTests
{
    private static void AssertOneLine(int code, string stderr, int expectedCode, string expected)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got {lines.Length}:\n{stderr}");
        Assert.StartsWith("switchyard: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal(expectedCode, code);
    }

    private static string TokenFile(string text)
    {
        var file = Path.Combine(CliProcess.NewFolder(), "token");
        File.WriteAllText(file, text);
        return file;
    }

    [Theory]
    [InlineData("127.0.0.1:4000", "did you mean http://127.0.0.1:4000?")]
    [InlineData("localhost:4000", "is not an http:// or https:// URL")]
    [InlineData("ftp://gateway:4000", "is not an http:// or https:// URL")]
    [InlineData("", "--url is empty")]
    public async Task Keys_UrlWithoutHttpScheme_OneLineAndExit2(string url, string expected)
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["keys", "list", "--url", url, "--token-file", TokenFile("sk-x")]);

        AssertOneLine(code, stderr, 2, expected);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Keys_EmptySwitchyardUrl_OneLineNamingTheVariable()
    {
        var (code, _, stderr) = await CliProcess.RunAsync(["keys", "list", "--token-file", TokenFile("sk-x")], new Dictionary<string, string> { ["SWITCHYARD_URL"] = "" });

        AssertOneLine(code, stderr, 2, "$SWITCHYARD_URL is empty");
    }

    [Fact]
    public async Task Tenants_SwitchyardUrlWithoutScheme_OneLineNamingTheVariable()
    {
        var (code, _, stderr) = await CliProcess.RunAsync(["tenants", "list", "--token-file", TokenFile("sk-x")], new Dictionary<string, string> { ["SWITCHYARD_URL"] = "127.0.0.1:4000" });

        AssertOneLine(code, stderr, 2, "$SWITCHYARD_URL '127.0.0.1:4000' is not an http:// or https:// URL");
    }

    [Fact]
    public async Task Reload_NothingListening_OneLineAndExit3()
    {
        var url = $"http://127.0.0.1:{ChildGateway.FreePort()}";

        var (code, _, stderr) = await CliProcess.RunAsync(["reload", "--url", url, "--token-file", TokenFile("sk-x")]);

        AssertOneLine(code, stderr, 3, "cannot reach the gateway at " + url);
    }

    [Fact]
    public async Task Keys_MissingEmptyOrDirectoryTokenFile_OneLineNamingTheFileAndExit2()
    {
        var missing = Path.Combine(CliProcess.NewFolder(), "nope.key");
        var empty = TokenFile("  \n");
        var folder = CliProcess.NewFolder();
        foreach (var (file, expected) in new[] { (missing, "cannot read the token file " + missing), (empty, $"the token file {empty} (--token-file) is empty"), (folder, "cannot read the token file " + folder) })
        {
            var (code, _, stderr) = await CliProcess.RunAsync(["keys", "list", "--url", "http://127.0.0.1:9", "--token-file", file]);

            AssertOneLine(code, stderr, 2, expected);
        }
    }

    [Fact]
    public async Task Smoke_UrlWithoutScheme_OneLineAndExit2()
    {
        var (code, _, stderr) = await CliProcess.RunAsync(["smoke", "--url", "127.0.0.1:4000", "--token-file", TokenFile("sk-x")]);

        AssertOneLine(code, stderr, 2, "did you mean http://127.0.0.1:4000?");
    }

    [Fact]
    public async Task Doctor_UrlWithoutScheme_IsAFindingNotACrash()
    {
        var config = Path.Combine(CliProcess.NewFolder(), "switchyard.yaml");
        File.WriteAllText(config, """
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/priced
                  mock_response: ok
            """);

        var (code, stdout, stderr) = await CliProcess.RunAsync(["doctor", "--config", config, "--url", "127.0.0.1:4000"]);

        Assert.Contains("SY133", stdout, StringComparison.Ordinal);
        Assert.Contains("did you mean http://127.0.0.1:4000?", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.Equal(1, code);
    }

    [Fact]
    public async Task Keys_TokenFromTheDefaultFile_NamesTheFileOnStderrAndKeepsStdoutJson()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/priced
                  mock_response: ok
            """);
        var home = CliProcess.NewFolder();
        var keyFile = Path.Combine(home, ".switchyard", "master.key");
        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        File.WriteAllText(keyFile, GatewayFixture.MasterKey + "\n");

        var (code, stdout, stderr) = await CliProcess.RunAsync(["keys", "list", "--json", "--url", gw.BaseUrl], home: home);

        Assert.True(code == 0, stderr);
        Assert.Contains("using the token in " + keyFile, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.MasterKey, stdout + stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(stdout); // nothing but the answer on stdout
        Assert.Equal(0, json.RootElement.GetProperty("total_count").GetInt32());
    }
}
