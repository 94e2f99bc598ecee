using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// A tenant budget whose room is only held by a request in flight answers budget_reserved (short retry, retryable);
/// a spent one answers budget_exceeded (time to reset, not retryable). The clock is fake and frozen: the held alias's
/// mock latency waits on it, so a request stays in flight until the test advances the clock.
/// Bodies are 400 bytes (100 prompt tokens) with max_tokens 200: each reserves at least $0.03 and costs $0.0101.
/// </summary>
public sealed class BudgetReservationTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/fast
              mock_response: ok
              input_cost_per_token: 0.0001
              output_cost_per_token: 0.0001
          - model_name: held
            litellm_params:
              model: mock/held
              mock_response: ok
              mock_latency_ms: 10
              input_cost_per_token: 0.0001
              output_cost_per_token: 0.0001
        switchyard:
          tenants:
            - tenant_id: acme
              max_budget: 0.04
              budget_duration: 30d
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Budget_OneRequestInFlightHoldsTheRoom_SecondGetsBudgetReservedAndPassesOnceItSettles()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var tenant = gw.Service<TenantDirectory>().FindTenant("acme")!.Limits;
        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 200)).Status); // $0.0101 spent: 25 %

        var held = gw.ChatAsync(token, "held", maxTokens: 200);
        await GatewayApi.WaitUntilAsync(() => tenant.InFlight.Current == 1, "one request in flight");
        var second = await gw.ChatAsync(token, "chat", maxTokens: 200);

        Assert.Equal((429, "budget_reserved"), (second.Status, second.ErrorCode));
        Assert.Equal("rate_limited", second.Error.GetProperty("type").GetString());
        Assert.Equal(1_000, second.RetryAfterMs);
        Assert.Equal(("1", "1000", "true"), (second.Header("Retry-After"), second.Header("retry-after-ms"), second.Header("x-should-retry")));
        var message = second.Error.GetProperty("message").GetString();
        Assert.Contains("tenant 'acme'", message, StringComparison.Ordinal);
        Assert.Contains("1 request(s) in flight", message, StringComparison.Ordinal);
        Assert.DoesNotContain("spent its budget", message, StringComparison.Ordinal);

        Assert.Equal(200, (await ReleaseAsync(time, held)).Status);
        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 200)).Status); // the retry passes: $0.0303 spent

        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 200)).Status); // alone and below the budget: $0.0404
        var spent = await gw.ChatAsync(token, "chat", maxTokens: 200);                  // $0.0404 >= $0.04: really spent
        Assert.Equal((429, "budget_exceeded"), (spent.Status, spent.ErrorCode));
        Assert.Equal((long)(Start.AddDays(30) - time.GetUtcNow()).TotalMilliseconds, spent.RetryAfterMs); // the period began with the first request
        Assert.Equal("false", spent.Header("x-should-retry"));
        Assert.Contains("has spent its budget of $0.04", spent.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Budget_BurstWhileOneRequestIsInFlight_EveryOtherIsBudgetReservedThenRetriesPass()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var tenant = gw.Service<TenantDirectory>().FindTenant("acme")!.Limits;

        var held = gw.ChatAsync(token, "held", maxTokens: 200);
        await GatewayApi.WaitUntilAsync(() => tenant.InFlight.Current == 1, "one request in flight");
        var burst = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => gw.ChatAsync(token, "chat", maxTokens: 200)));

        Assert.All(burst, r =>
        {
            Assert.Equal((429, "budget_reserved", 1_000L), (r.Status, r.ErrorCode, r.RetryAfterMs));
            Assert.Equal("true", r.Header("x-should-retry"));
        });
        Assert.Equal(0L, tenant.Budget.SpentNanos);
        Assert.Equal(1, tenant.InFlight.Current);

        Assert.Equal(200, (await ReleaseAsync(time, held)).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 200)).Status);
        Assert.Equal(0, tenant.Budget.ReservedNanos);
    }

    private static async Task<ApiResponse> ReleaseAsync(FakeTimeProvider time, Task<ApiResponse> held)
    {
        await GatewayApi.WaitUntilAsync(() =>
        {
            if (held.IsCompleted)
            {
                return true;
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
            return false;
        }, "the held request to finish");
        return await held;
    }
}
