using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// max_budget with budget_duration on keys and tenants, driven by a fake clock. Every request here is a 400-byte body
/// (100 prompt tokens at $0.0001, completions free) so each costs exactly $0.01; a request is admitted while the
/// period's spend plus reservations is below max_budget.
/// </summary>
public sealed class BudgetWindowTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
              input_cost_per_token: 0.0001
              output_cost_per_token: 0
        switchyard:
          tenants:
            - tenant_id: monthly
              max_budget: 0.015
              budget_duration: 1mo
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task KeyBudget_30sPeriodSpent_Rejects429WithTimeToResetThenPassesAndSpendRestarts()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, hash) = await gw.GenerateKeyAsync(new { max_budget = 0.025, budget_duration = "30s" });

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status); // spent 0, 0.01, 0.02 < 0.025
        }

        var over = await gw.ChatAsync(token, "chat");
        Assert.Equal((429, "budget_exceeded"), (over.Status, over.ErrorCode));
        Assert.Equal(30_000, over.RetryAfterMs);
        Assert.Equal("30000", over.Header("retry-after-ms"));
        Assert.Equal("30", over.Header("Retry-After"));
        var info = (await gw.GetAsync("/key/info?key=" + hash)).Json.GetProperty("info");
        Assert.Equal(0.03m, info.GetProperty("spend").GetDecimal());
        Assert.Equal("2030-01-15T00:00:30.000Z", info.GetProperty("budget_reset_at").GetString());

        time.Advance(TimeSpan.FromSeconds(10));
        var stillOver = await gw.ChatAsync(token, "chat");
        Assert.Equal((429, "budget_exceeded"), (stillOver.Status, stillOver.ErrorCode));
        Assert.Equal(20_000, stillOver.RetryAfterMs);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        info = (await gw.GetAsync("/key/info?key=" + hash)).Json.GetProperty("info");
        Assert.Equal(0.01m, info.GetProperty("spend").GetDecimal());
        Assert.Equal("2030-01-15T00:01:00.000Z", info.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task TenantBudget_1moPeriodSpent_Rejects429UntilTheCalendarMonthEnds()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { team_id = "monthly" });

        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        var over = await gw.ChatAsync(token, "chat");
        Assert.Equal((429, "budget_exceeded"), (over.Status, over.ErrorCode));
        Assert.Equal((long)TimeSpan.FromDays(31).TotalMilliseconds, over.RetryAfterMs); // 2030-01-15 -> 2030-02-15
        Assert.Contains("tenant 'monthly'", over.Error.GetProperty("message").GetString(), StringComparison.Ordinal);

        time.Advance(TimeSpan.FromDays(30));
        var stillOver = await gw.ChatAsync(token, "chat");
        Assert.Equal((429, "budget_exceeded"), (stillOver.Status, stillOver.ErrorCode));
        Assert.Equal((long)TimeSpan.FromDays(1).TotalMilliseconds, stillOver.RetryAfterMs);

        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        var team = (await gw.GetAsync("/team/info?team_id=monthly")).Json.GetProperty("team_info");
        Assert.Equal(0.01m, team.GetProperty("spend").GetDecimal());
        Assert.Equal("2030-03-15T00:00:00.000Z", team.GetProperty("budget_reset_at").GetString()); // February has 28 days in 2030
    }

    [Fact]
    public async Task SoftBudget_Exceeded_DoesNotReject()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, hash) = await gw.GenerateKeyAsync(new { soft_budget = 0.01, budget_duration = "1d" });

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        }

        var info = (await gw.GetAsync("/key/info?key=" + hash)).Json.GetProperty("info");
        Assert.Equal(0.05m, info.GetProperty("spend").GetDecimal());
        Assert.Equal(0.01m, info.GetProperty("soft_budget").GetDecimal());
    }

    [Fact]
    public async Task Regenerate_KeyOverBudget_NewTokenInheritsTheSpentBudget()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { max_budget = 0.015 });
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status);
        var over = await gw.ChatAsync(token, "chat");
        Assert.Equal((429, "budget_exceeded"), (over.Status, over.ErrorCode));
        Assert.Null(over.RetryAfterMs); // a budget without budget_duration never resets
        Assert.Null(over.Header("Retry-After"));

        var rotated = await gw.PostAsync("/key/regenerate", new { key = token });
        Assert.Equal(200, rotated.Status);
        Assert.Equal(0.02m, rotated.Json.GetProperty("spend").GetDecimal());
        var fresh = await gw.ChatAsync(rotated.Json.GetProperty("key").GetString(), "chat");
        Assert.Equal((429, "budget_exceeded"), (fresh.Status, fresh.ErrorCode)); // rotating a credential is no budget reset
    }
}
