using System.Diagnostics;
using Switchyard.Cli.Doctor;
using Switchyard.Core.Config;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// LiteLLM's quick-start master key <c>sk-1234</c> (issue 11 item 9): accepted while the gateway listens on loopback
/// only, with a warning at start and a doctor error; refused on any other address, whether the file or --host says so.
/// </summary>
public sealed class QuickStartKeyTests
{
    private static string Yaml(string key, string? host = null) => $"""
        model_list:
          - model_name: gpt-4o
            litellm_params:
              model: mock/gpt-4o
              mock_response: hello
        general_settings:
          master_key: {key}
        """ + (host is null ? "" : $"\nswitchyard:\n  server:\n    host: \"{host}\"\n");

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.1.2.3", true)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("*", false)]
    [InlineData("+", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("gateway.internal", false)]
    public void IsLoopback_OnlyThisMachinesAddresses(string host, bool loopback)
        => Assert.Equal(loopback, ServerSettings.IsLoopback(host));

    [Fact]
    public void Load_ShortKeyOnLoopback_AcceptedWithAnInsecureWarningNamingTheKeyPath()
    {
        var config = ConfigLoader.Load(Yaml("sk-1234"), Path.GetTempPath(), _ => null);
        Assert.Equal("sk-1234", Assert.Single(config.Auth.MasterKeys).Value);
        var warning = Assert.Single(config.Warnings, w => w.Path == "general_settings.master_key");
        Assert.Contains("INSECURE", warning.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.5")]
    public void Load_ShortKeyOnAnotherAddress_RefusedWithPathAndLine(string host)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Yaml("sk-1234", host), Path.GetTempPath(), _ => null));
        var error = Assert.Single(e.Errors);
        Assert.Equal("general_settings.master_key", error.Path);
        Assert.Equal(7, error.Line);
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains(host, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LongKeyOnAnyAddress_NoWarning()
    {
        var config = ConfigLoader.Load(Yaml("sk-a-long-enough-key", "0.0.0.0"), Path.GetTempPath(), _ => null);
        Assert.DoesNotContain(config.Warnings, w => w.Path == "general_settings.master_key");
    }

    [Fact]
    public void Doctor_ShortKey_IsAnErrorEvenOnLoopback()
    {
        var path = Write(Yaml("sk-1234"));
        var (config, _) = DoctorChecks.Config(path);
        var finding = Assert.Single(DoctorChecks.MasterKeys(config!));
        Assert.Equal("SY152", finding.Id);
        Assert.Equal(Finding.Error, finding.Severity);

        var (strong, _) = DoctorChecks.Config(Write(Yaml("sk-a-long-enough-key")));
        Assert.Empty(DoctorChecks.MasterKeys(strong!));
    }

    [Fact]
    public async Task Serve_QuickStartConfig_StartsOnLoopbackAnswersWithSk1234_AndRefusesToStartWithHostAnyAddress()
    {
        var dir = Directory.CreateTempSubdirectory("switchyard-quickstart").FullName;
        var path = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(path, Yaml("sk-1234") + $"\nswitchyard:\n  store:\n    sqlite_path: {Path.Combine(dir, "g.db")}\n");
        var env = new Dictionary<string, string> { ["HOME"] = dir };

        await using (var child = await ChildGateway.StartAsync(path, env))
        {
            var (status, body, _) = await child.PostAsync("/v1/chat/completions", "sk-1234", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""");
            Assert.True(status == 200, body);
            Assert.Contains(child.Output, l => l.Contains("INSECURE", StringComparison.Ordinal) && l.Contains("master key", StringComparison.Ordinal));
        }

        var (code, output) = await RunAsync(env, ChildGateway.GatewayDll, "--config", path, "--host", "0.0.0.0", "--port", ChildGateway.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, code);
        Assert.Contains("refusing to start", output, StringComparison.Ordinal);
        Assert.Contains("sk-1234", output, StringComparison.Ordinal); // names LiteLLM's quick-start key as the example, not the value read
    }

    private static string Write(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("switchyard-quickstart").FullName, "config.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static async Task<(int Code, string Output)> RunAsync(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
