using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// keys and tenants print for people by default (a line or a table) and JSON with --json; keys list tells a rotated
/// key from its successor (status with the grace period, the rotation link both ways), a revoked and an expired one.
/// </summary>
public sealed class KeysAndTenantsCliTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: ok }
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    private static string[] Common(GatewayFixture gw)
    {
        var master = Path.Combine(CliProcess.NewFolder(), "master.key");
        File.WriteAllText(master, GatewayFixture.MasterKey + "\n");
        return ["--url", gw.BaseUrl, "--token-file", master];
    }

    [Fact]
    public async Task KeysList_ShowsStatusAndRotationLinkWithoutJson()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (_, old) = await gw.GenerateKeyAsync(new { key_alias = "agent-a" });
        var rotated = await gw.PostAsync("/key/regenerate", new { key = old, grace_period = "1h" });
        var successor = rotated.Json.GetProperty("token").GetString()!;
        var (_, cut) = await gw.GenerateKeyAsync(new { key_alias = "agent-b" });
        var cutSuccessor = (await gw.PostAsync("/key/regenerate", new { key = cut })).Json.GetProperty("token").GetString()!;
        var (_, shortLived) = await gw.GenerateKeyAsync(new { key_alias = "ci", duration = "30m" });

        var during = await ListAsync(gw);
        time.Advance(TimeSpan.FromHours(2));
        var after = await ListAsync(gw);

        Assert.Contains("status", during[0], StringComparison.Ordinal);
        Assert.Contains("rotation", during[0], StringComparison.Ordinal);
        Assert.Contains("rotated (grace until 2030-01-15 01:00Z)", Row(during, old), StringComparison.Ordinal);
        Assert.Contains("replaced by " + successor[..12], Row(during, old), StringComparison.Ordinal);
        Assert.Contains(" active ", Row(during, successor), StringComparison.Ordinal);
        Assert.Contains("replaces " + old[..12], Row(during, successor), StringComparison.Ordinal);
        Assert.Contains("rotated (revoked)", Row(during, cut), StringComparison.Ordinal);
        Assert.Contains("replaced by " + cutSuccessor[..12], Row(during, cut), StringComparison.Ordinal);
        Assert.Contains(" active ", Row(during, shortLived), StringComparison.Ordinal);
        Assert.Contains("rotated (grace ended 2030-01-15 01:00Z)", Row(after, old), StringComparison.Ordinal);
        Assert.Contains("expired (2030-01-15 00:30Z)", Row(after, shortLived), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyJson_CarriesTheStatus()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (_, old) = await gw.GenerateKeyAsync(new { });
        await gw.PostAsync("/key/regenerate", new { key = old, grace_period = "1h" });

        var info = (await gw.GetAsync("/key/info?key=" + old)).Json.GetProperty("info");

        Assert.Equal("rotated", info.GetProperty("status").GetString());
    }

    [Fact]
    public async Task TenantsInfo_PrintsForPeople_AndJsonWithTheFlag()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "research", team_alias = "Research", rpm_limit = 60, models = new[] { "chat" } })).Status);
        var (_, hash) = await gw.GenerateKeyAsync(new { team_id = "research", key_alias = "agent-a" });
        var common = Common(gw);

        var human = await CliProcess.RunAsync(["tenants", "info", "research", .. common]);
        var json = await CliProcess.RunAsync(["tenants", "info", "research", "--json", .. common]);

        Assert.True(human.Code == 0, human.Stderr);
        Assert.False(human.Stdout.TrimStart().StartsWith('{'), human.Stdout);
        Assert.Matches(@"(?m)^team_id:\s+research$", human.Stdout);
        Assert.Matches(@"(?m)^team_alias:\s+Research$", human.Stdout);
        Assert.Matches(@"(?m)^rpm_limit:\s+60$", human.Stdout);
        Assert.Contains("1 key(s):", human.Stdout, StringComparison.Ordinal);
        Assert.Contains(hash, human.Stdout, StringComparison.Ordinal);
        Assert.True(json.Code == 0, json.Stderr);
        Assert.Equal("research", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("team_info").GetProperty("team_id").GetString());
    }

    [Fact]
    public async Task EveryTenantsAndKeysListCommand_JsonWithTheFlagOnly()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "research" })).Status);
        await gw.GenerateKeyAsync(new { team_id = "research" });
        var common = Common(gw);

        foreach (var (command, kind) in new[] { (new[] { "tenants", "list" }, JsonValueKind.Array), (["keys", "list"], JsonValueKind.Object), (["tenants", "info", "research"], JsonValueKind.Object) })
        {
            var human = await CliProcess.RunAsync([.. command, .. common]);
            var json = await CliProcess.RunAsync([.. command, "--json", .. common]);

            Assert.True(human.Code == 0 && json.Code == 0, human.Stderr + json.Stderr);
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(human.Stdout));
            Assert.Equal(kind, JsonDocument.Parse(json.Stdout).RootElement.ValueKind); // the route's answer as it is (/team/list: LiteLLM's array)
        }
    }

    private static async Task<string[]> ListAsync(GatewayFixture gw)
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(["keys", "list", .. Common(gw)]);
        Assert.True(code == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Row(string[] lines, string hash) => Assert.Single(lines, l => l.StartsWith(hash, StringComparison.Ordinal));
}
