using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Operations;

namespace Switchyard.Tests.Tenancy;

/// <summary>GET /team/usage and <c>switchyard tenants usage</c>: current use against limits, to read a 429 storm at a glance.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TenantUsageTests
{
    [Fact]
    public async Task Usage_ShowsRpmConcurrencyAndBudgetAgainstLimits_ForTheTenantAndItsKeys()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: { model: mock/chat, input_cost_per_token: 0.001, output_cost_per_token: 0.001 }
            """);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "research", rpm_limit = 3, max_budget = 5, budget_duration = "30d", max_parallel_requests = 4 })).Status);
        var (key, hash) = await gw.GenerateKeyAsync(new { team_id = "research", key_alias = "agent-1", rpm_limit = 10 });
        var answers = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add((await gw.ChatAsync(key, "chat")).Status);
        }

        Assert.Equal([200, 200, 200, 429], answers);

        var usage = await gw.GetAsync("/team/usage?team_id=research");

        Assert.True(usage.Status == 200, usage.ToString());
        var team = usage.Json.GetProperty("team");
        Assert.Equal(3, team.GetProperty("rpm").GetProperty("used").GetInt64());
        Assert.Equal(3, team.GetProperty("rpm").GetProperty("limit").GetInt64());
        Assert.Equal(0, team.GetProperty("concurrency").GetProperty("used").GetInt64());
        Assert.Equal(4, team.GetProperty("concurrency").GetProperty("limit").GetInt64());
        Assert.True(team.GetProperty("budget").GetProperty("spent").GetDecimal() > 0);
        Assert.Equal(5, team.GetProperty("budget").GetProperty("limit").GetDecimal());
        var k = Assert.Single(usage.Json.GetProperty("keys").EnumerateArray());
        Assert.Equal(hash, k.GetProperty("token").GetString());
        Assert.Equal(3, k.GetProperty("rpm").GetProperty("used").GetInt64()); // the refused call was given back
        Assert.Equal(10, k.GetProperty("rpm").GetProperty("limit").GetInt64());

        // a usage:read token of another team may not read it
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "other" })).Status);
        var (reader, _) = await gw.GenerateKeyAsync(new { team_id = "other", scopes = new[] { "usage:read" } });
        Assert.Equal(403, (await gw.GetAsync("/team/usage?team_id=research", reader)).Status);

        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey);
        var (code, output) = await ConsoleCollection.RunAsync(() => TenantsCommand.Create().Parse(["usage", "research", "--url", gw.BaseUrl, "--token-file", tokenFile]).InvokeAsync());
        Assert.Equal(0, code);
        Assert.Matches(@"team research\s+3/3\s", output);
        Assert.Matches(@"key agent-1\s+3/10\s", output);
    }
}
