using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>GET /ui/api/tenants: tenants with limits against current use and the budget's projection to the period's end, searched, paged, scoped.</summary>
public sealed class TenantsPageApiTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: ok, input_cost_per_token: 0.001, output_cost_per_token: 0.001 }
        """;

    [Fact]
    public async Task Tenants_LimitsAgainstUse_BudgetProjectedLinearlyToThePeriodsEnd()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "research", team_alias = "Research", rpm_limit = 30, tpm_limit = 100_000, max_parallel_requests = 4, max_budget = 5, budget_duration = "30d" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "sales" })).Status);
        var (key, _) = await gw.GenerateKeyAsync(new { team_id = "research" });
        Assert.Equal(200, (await gw.ChatAsync(key, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(key, "chat")).Status);

        var page = await gw.GetAsync("/ui/api/tenants");

        Assert.True(page.Status == 200, page.ToString());
        Assert.Equal(2, page.Json.GetProperty("total").GetInt64());
        var research = page.Json.GetProperty("data")[0];
        Assert.Equal(("research", "Research", 1), (research.GetProperty("tenant_id").GetString(), research.GetProperty("alias").GetString(), research.GetProperty("keys").GetInt32()));
        Assert.Equal((2L, 30L), (research.GetProperty("rpm").GetProperty("used").GetInt64(), research.GetProperty("rpm").GetProperty("limit").GetInt64()));
        Assert.Equal(100_000, research.GetProperty("tpm").GetProperty("limit").GetInt64());
        Assert.True(research.GetProperty("tpm").GetProperty("used").GetInt64() > 0);
        Assert.Equal((0L, 4L), (research.GetProperty("concurrency").GetProperty("used").GetInt64(), research.GetProperty("concurrency").GetProperty("limit").GetInt64()));
        var spent = research.GetProperty("budget").GetProperty("spent").GetDecimal();
        Assert.True(spent > 0);
        Assert.Equal(spent, research.GetProperty("budget_projection").GetProperty("projected_spend").GetDecimal()); // no time gone: nothing to extrapolate

        time.Advance(TimeSpan.FromMinutes(30)); // under an hour of a 30-day period: too early to extrapolate
        var early = (await gw.GetAsync("/ui/api/tenants?search=research")).Json.GetProperty("data")[0].GetProperty("budget_projection");
        Assert.Equal((spent, false), (early.GetProperty("projected_spend").GetDecimal(), early.GetProperty("extrapolated").GetBoolean()));

        time.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(30));
        research = (await gw.GetAsync("/ui/api/tenants?search=research")).Json.GetProperty("data")[0];
        var projection = research.GetProperty("budget_projection");
        Assert.True(projection.GetProperty("extrapolated").GetBoolean());
        Assert.Equal(Math.Round(spent * 10, 6), projection.GetProperty("projected_spend").GetDecimal()); // 3 of 30 days gone
        Assert.Equal(new DateTimeOffset(2030, 1, 31, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(projection.GetProperty("period_end").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(spent * 10 > 5, projection.GetProperty("projected_over_budget").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, page.Json.GetProperty("data")[1].GetProperty("budget_projection").ValueKind);
    }

    [Fact]
    public async Task Tenants_SearchPagesAndScope()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        foreach (var (id, alias) in new[] { ("acme", "Acme Research"), ("globex", "Globex"), ("initech", "Research Lab") })
        {
            Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = id, team_alias = alias })).Status);
        }

        var (reader, _) = await gw.GenerateKeyAsync(new { team_id = "globex", scopes = new[] { "usage:read" } });
        var (invoker, _) = await gw.GenerateKeyAsync(new { team_id = "globex" });

        var search = await gw.GetAsync("/ui/api/tenants?search=RESEARCH&page_size=1&page=2");
        Assert.Equal((2L, "initech"), (search.Json.GetProperty("total").GetInt64(), search.Json.GetProperty("data")[0].GetProperty("tenant_id").GetString()));
        var own = await gw.GetAsync("/ui/api/tenants", reader);
        Assert.Equal(["globex"], own.Json.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("tenant_id").GetString()));
        Assert.Equal(0, (await gw.GetAsync("/ui/api/tenants?search=acme", reader)).Json.GetProperty("total").GetInt64());
        Assert.Equal(403, (await gw.GetAsync("/ui/api/tenants", invoker)).Status);
        Assert.Equal(400, (await gw.GetAsync("/ui/api/tenants?page_size=501")).Status);
    }
}
