using System.Text.RegularExpressions;
using Switchyard.Cli.Doctor;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// Config drift between replicas: the live config's hash on /health/readiness and in /metrics, following reloads, and
/// <c>switchyard doctor --url A --url B</c> (the real executable) comparing running gateways.
/// </summary>
[Collection("telemetry")] // /metrics: a Meter listener hears every gateway of the process, so the config_info series of others too
public sealed partial class ConfigDriftTests
{
    private const string Yaml = """
        model_list:
          - model_name: router.default
            litellm_params:
              model: mock/gpt-4o-mini
        """;

    private static readonly string Drifted = Yaml.Replace("mock/gpt-4o-mini", "mock/gpt-4o", StringComparison.Ordinal);

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex HashShape();

    /// <summary>The Prometheus line of switchyard_config_info for one hash, whatever other labels it carries, with the value 1.</summary>
    private static Regex InfoLine(string hash)
        => new($"(?m)^switchyard_config_info{{[^}}\\n]*config_hash=\"{Regex.Escape(hash)}\"[^}}\\n]*}} 1$");

    /// <summary>
    /// /metrics once it shows <paramref name="line"/>: the Prometheus exporter serves a cached scrape for a short while
    /// (300 ms by default), so the first scrape after a reload may still be the previous one. Bounded against hanging.
    /// </summary>
    private static async Task<string> ScrapeUntilAsync(GatewayFixture gw, Regex line)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var body = (await gw.GetAsync("/metrics", token: null)).Body;
            if (line.IsMatch(body) || DateTime.UtcNow > deadline)
            {
                return body;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<string?> ReadinessHashAsync(GatewayFixture gw)
    {
        var r = await gw.GetAsync("/health/readiness", token: null);
        Assert.Equal(200, r.Status);
        return r.Json.GetProperty("config_hash").GetString();
    }

    [Fact]
    public async Task Readiness_CarriesTheLiveConfigHashAndVersion()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);

        var body = (await gw.GetAsync("/health/readiness", token: null)).Json;

        var hash = body.GetProperty("config_hash").GetString();
        Assert.Matches(HashShape(), hash);
        Assert.Equal(gw.Config.ConfigHash, hash);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
        Assert.Equal("off", body.GetProperty("redis").GetString());
    }

    [Fact]
    public async Task TwoGatewaysFromTheSameText_ReportTheSameHash()
    {
        await using var a = await GatewayFixture.StartFromFileAsync(Yaml);
        await using var b = await GatewayFixture.StartFromFileAsync(Yaml);

        Assert.NotEqual(a.ConfigPath, b.ConfigPath);
        Assert.Equal(await ReadinessHashAsync(a), await ReadinessHashAsync(b));
    }

    [Fact]
    public async Task HotReload_ChangesTheHashOnReadinessAndInMetrics()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);
        var before = await ReadinessHashAsync(gw);
        Assert.Matches(InfoLine(before!), (await gw.GetAsync("/metrics", token: null)).Body);

        gw.WriteConfig(Drifted);
        Assert.Equal(200, (await gw.PostAsync("/config/reload", (object)"")).Status);
        var after = await ReadinessHashAsync(gw);
        var scrape = await ScrapeUntilAsync(gw, InfoLine(after!));

        Assert.Matches(HashShape(), after);
        Assert.NotEqual(before, after);
        Assert.Matches(InfoLine(after!), scrape);
        Assert.DoesNotContain(before!, scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_TwoReplicasWithTheSameConfig_TableAndExitZero()
    {
        await using var a = await GatewayFixture.StartFromFileAsync(Yaml);
        await using var b = await GatewayFixture.StartFromFileAsync(Yaml);
        var hash = await ReadinessHashAsync(a);

        var (code, stdout, stderr) = await CliProcess.RunAsync(["doctor", "--url", a.BaseUrl, "--url", b.BaseUrl]);

        Assert.True(code == 0, stdout + stderr);
        var lines = stdout.Split('\n');
        Assert.StartsWith("REPLICA", lines[0], StringComparison.Ordinal);
        var rowA = Assert.Single(lines, l => l.StartsWith(a.BaseUrl + " ", StringComparison.Ordinal));
        var rowB = Assert.Single(lines, l => l.StartsWith(b.BaseUrl + " ", StringComparison.Ordinal));
        Assert.Contains(hash![..23], rowA, StringComparison.Ordinal);
        Assert.Contains(hash[..23], rowB, StringComparison.Ordinal);
        Assert.Contains($"SY193  all 2 replicas run the same config ({hash})", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("drift", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_TwoReplicasWithDifferentConfigs_DriftIsAnErrorNamingBoth()
    {
        await using var a = await GatewayFixture.StartFromFileAsync(Yaml);
        await using var b = await GatewayFixture.StartFromFileAsync(Drifted);
        var (hashA, hashB) = (await ReadinessHashAsync(a), await ReadinessHashAsync(b));
        Assert.NotEqual(hashA, hashB);

        var (code, stdout, stderr) = await CliProcess.RunAsync(["doctor", "--url", a.BaseUrl, "--url", b.BaseUrl]);

        Assert.True(code == 1, stdout + stderr);
        var drift = Assert.Single(stdout.Split('\n'), l => l.Contains("SY192", StringComparison.Ordinal));
        Assert.StartsWith("ERROR", drift, StringComparison.Ordinal);
        Assert.Contains("config drift: 2 different configs among 2 replicas", drift, StringComparison.Ordinal);
        Assert.Contains($"{hashA![..23]} on {a.BaseUrl}", drift, StringComparison.Ordinal);
        Assert.Contains($"{hashB![..23]} on {b.BaseUrl}", drift, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ReplicasReloadedToTheSameFile_NoLongerDrift()
    {
        await using var a = await GatewayFixture.StartFromFileAsync(Yaml);
        await using var b = await GatewayFixture.StartFromFileAsync(Drifted);
        b.WriteConfig(Yaml);
        Assert.Equal(200, (await b.PostAsync("/config/reload", (object)"")).Status);

        var (code, stdout, stderr) = await CliProcess.RunAsync(["doctor", "--url", a.BaseUrl, "--url", b.BaseUrl, "--json"]);

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("\"SY193\"", stdout, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(stdout, "\"SY190\""));
    }

    [Fact]
    public async Task Doctor_AReplicaThatCannotBeReached_IsAnError()
    {
        await using var a = await GatewayFixture.StartFromFileAsync(Yaml);
        var nothing = $"http://127.0.0.1:{ChildGateway.FreePort()}";

        var (code, stdout, stderr) = await CliProcess.RunAsync(["doctor", "--url", a.BaseUrl, "--url", nothing]);

        Assert.True(code == 1, stdout + stderr);
        Assert.Contains($"SY191  replica {nothing} cannot be reached", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_MixedVersionsMissingHashAndUnsharedState_AreWarningsNotErrors()
    {
        ReplicaReport[] replicas =
        [
            new("http://a:4000") { Status = "healthy", ConfigHash = "sha256:" + new string('a', 64), Version = "1.0.0+abc", Store = "sqlite healthy", Redis = "off" },
            new("http://b:4000") { Status = "healthy", ConfigHash = "sha256:" + new string('a', 64), Version = "1.0.1+def", Store = "postgresql unhealthy", Redis = "configured" },
            new("http://c:4000") { Status = "unhealthy", Version = "1.0.0+abc" },
        ];

        var findings = ReplicaChecks.Compare(replicas);

        Assert.DoesNotContain(findings, f => f.Severity == Finding.Error);
        Assert.Equal(["SY194", "SY195", "SY196", "SY197", "SY198", "SY199"], findings.Where(f => f.Severity == Finding.Warn).Select(f => f.Id).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(findings, f => f.Id == "SY193"); // c has no hash: equality of all is not shown
    }
}
