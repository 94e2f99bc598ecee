using System.ClientModel;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Chat;
using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// 50 parallel requests through a real HttpClient against RPM, max_parallel_requests, TPM and budget limits.
/// The clock is fake and frozen: the mock's latency (mock_latency_ms) waits on it, so admitted requests stay in
/// flight until the test advances the clock, which makes every count exact.
/// Bodies are 400 bytes (100 prompt tokens, estimated and reported alike) with max_tokens 100; the mock answers "ok"
/// (1 completion token). A request reserves 200 tokens and settles to 101.
/// </summary>
public sealed class ConcurrentBurstTests
{
    private const int Burst = 50;
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
          - model_name: verbose
            litellm_params:
              model: mock/verbose
              mock_response: a b c d e f g h i j a b c d e f g h i j a b c d e f g h i j a b c d e f g h i j a b c d e f g h i j
              mock_latency_ms: 10
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Rpm_50ParallelRequests_AdmitsExactlyTheLimit()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { rpm_limit = 7 });

        var results = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => gw.ChatAsync(token, "chat", maxTokens: 100)));

        Assert.Equal(7, results.Count(r => r.Status == 200));
        var rejected = results.Where(r => r.Status != 200).ToArray();
        Assert.Equal(Burst - 7, rejected.Length);
        Assert.All(rejected, r =>
        {
            AssertRateLimited(r, "rpm_limit", retryAfterMs: 60_000);
            Assert.Equal("7", r.Header("x-ratelimit-limit-requests"));
            Assert.Equal("0", r.Header("x-ratelimit-remaining-requests"));
        });
        var admitted = results.Where(r => r.Status == 200).Select(r => r.Header("x-ratelimit-remaining-requests")).Order(StringComparer.Ordinal);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6"], admitted);
    }

    [Fact]
    public async Task MaxParallelRequests_50ParallelRequests_AdmitsExactlyTheLimitConcurrently()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { max_parallel_requests = 4 });
        var limits = KeyLimits(gw, token);

        var tasks = Enumerable.Range(0, Burst).Select(_ => gw.ChatAsync(token, "held", maxTokens: 100)).ToArray();
        await GatewayApi.WaitUntilAsync(() => tasks.Count(t => t.IsCompleted) == Burst - 4 && limits.InFlight.Current == 4, "46 rejections with 4 held");
        Assert.All(tasks.Where(t => t.IsCompleted), t => AssertRateLimited(t.Result, "concurrency_limit", retryAfterMs: 250));
        Assert.All(tasks.Where(t => t.IsCompleted), t => Assert.Null(t.Result.Header("x-ratelimit-limit-requests")));

        var results = await ReleaseAsync(time, tasks);
        Assert.Equal(4, results.Count(r => r.Status == 200));
        Assert.Equal(Burst - 4, results.Count(r => r.Status == 429));
        Assert.Equal(0, limits.InFlight.Current);
        Assert.Equal(200, (await gw.ChatAsync(token, "chat")).Status); // the slots came back
    }

    [Fact]
    public async Task Tpm_50ParallelRequests_AdmitsWhileReservationsFitThenSettlesToUsage()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { tpm_limit = 1000 });
        var limits = KeyLimits(gw, token);

        // 5 reservations of 200 fill the 1000-token window exactly; only requests in flight hold it, so the hint is short
        var first = await HeldBurstAsync(gw, time, token, limits, admitted: 5);
        Assert.Equal(5, first.Count(r => r.Status == 200));
        Assert.All(first.Where(r => r.Status != 200), r =>
        {
            AssertRateLimited(r, "tpm_limit", retryAfterMs: 1_000);
            Assert.Equal("true", r.Header("x-should-retry"));
            Assert.Contains("requests in flight have reserved 1000 more", r.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("1000", r.Header("x-ratelimit-limit-tokens"));
            Assert.Equal("0", r.Header("x-ratelimit-remaining-tokens"));
        });
        Assert.Equal(5 * 101, limits.Tokens.Current(time.GetUtcNow())); // settled to real usage

        // 505 used: two more reservations fit (905), a third would not (1105)
        var second = await HeldBurstAsync(gw, time, token, limits, admitted: 2);
        Assert.Equal(2, second.Count(r => r.Status == 200));
        Assert.All(second.Where(r => r.Status != 200), r =>
        {
            Assert.Equal((429, "tpm_limit"), (r.Status, r.ErrorCode));
            Assert.Equal("95", r.Header("x-ratelimit-remaining-tokens"));
        });
        var used = limits.Tokens.Current(time.GetUtcNow());
        Assert.Equal(7 * 101, used);
        Assert.True(used <= 1000, "usage in the window stays within tpm_limit while estimates are not below usage");
    }

    [Fact]
    public async Task Tpm_UsageAboveReservation_OvershootIsExactlyTheUnderEstimates()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { tpm_limit = 1000 });
        var limits = KeyLimits(gw, token);

        // max_tokens 1: each reserves 101 tokens but the answer has 50 words, so each uses 150
        var tasks = Enumerable.Range(0, Burst).Select(_ => gw.ChatAsync(token, "verbose", maxTokens: 1)).ToArray();
        await GatewayApi.WaitUntilAsync(() => tasks.Count(t => t.IsCompleted) == Burst - 9 && limits.InFlight.Current == 9, "41 rejections with 9 held");
        Assert.All(tasks.Where(t => t.IsCompleted), t => Assert.Equal("91", t.Result.Header("x-ratelimit-remaining-tokens")));
        var results = await ReleaseAsync(time, tasks);

        Assert.Equal(9, results.Count(r => r.Status == 200));
        var used = limits.Tokens.Current(time.GetUtcNow());
        Assert.Equal(9 * 150, used);
        Assert.True(used <= 1000 + (9 * (150 - 101)), "usage <= tpm_limit + the admitted requests' under-estimates");
        var next = await gw.ChatAsync(token, "chat", maxTokens: 1);
        Assert.Equal((429, "tpm_limit", "0"), (next.Status, next.ErrorCode, next.Header("x-ratelimit-remaining-tokens")));
    }

    [Fact]
    public async Task Budget_50ParallelRequests_OvershootStaysWithinOneEstimatedRequest()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, hash) = await gw.GenerateKeyAsync(new { max_budget = 0.05, budget_duration = "1h" });
        var limits = KeyLimits(gw, token);

        // each reserves $0.02 (200 tokens) and costs $0.0101: admitted while spent + reserved + $0.02 <= $0.05 -> 0, 0.02;
        // the rest find the room held by requests in flight, not spent: budget_reserved with a short retry
        var burst = await HeldBurstAsync(gw, time, token, limits, admitted: 2);
        Assert.Equal(2, burst.Count(r => r.Status == 200));
        Assert.All(burst.Where(r => r.Status != 200), r =>
        {
            AssertRateLimited(r, "budget_reserved", retryAfterMs: 1_000);
            Assert.Equal("true", r.Header("x-should-retry"));
        });

        // settled: $0.0202 spent; sequential requests (nothing else reserved) pass while spent < $0.05
        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 100)).Status);
        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 100)).Status);
        Assert.Equal(200, (await gw.ChatAsync(token, "chat", maxTokens: 100)).Status);
        var spent = await gw.ChatAsync(token, "chat", maxTokens: 100);
        AssertRateLimited(spent, "budget_exceeded", retryAfterMs: (long)(Start.AddHours(1) - time.GetUtcNow()).TotalMilliseconds);
        Assert.Equal("false", spent.Header("x-should-retry"));

        var spend = (await gw.GetAsync("/key/info?key=" + hash)).Json.GetProperty("info").GetProperty("spend").GetDecimal();
        Assert.Equal(0.0505m, spend);
        Assert.True(spend <= 0.05m + 0.02m, "total spend <= max_budget + one request's estimated cost");
        Assert.Equal(0, limits.Budget.ReservedNanos);
    }

    [Fact]
    public async Task Rpm_RejectedThroughOpenAISdk_ClientResultException429WithRpmLimitSummary()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Yaml, time);
        var (token, _) = await gw.GenerateKeyAsync(new { rpm_limit = 1 });
        var chat = gw.Chat("chat", token);

        var ok = await chat.CompleteChatAsync([new UserChatMessage("ping")]);
        Assert.Equal("ok", ok.Value.Content[0].Text);
        var e = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("ping")]));

        Assert.Equal(429, e.Status);
        var raw = e.GetRawResponse()!;
        using var body = JsonDocument.Parse(raw.Content.ToString());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("rpm_limit", error.GetProperty("code").GetString());
        Assert.Equal("rate_limited", error.GetProperty("type").GetString());
        Assert.Equal("chat", error.GetProperty("route").GetString());
        Assert.Equal(60_000, error.GetProperty("retry_after_ms").GetInt64());
        Assert.True(raw.Headers.TryGetValue("x-ratelimit-limit-requests", out var limit));
        Assert.Equal("1", limit);
        Assert.True(raw.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("60", retryAfter);
    }

    private static void AssertRateLimited(ApiResponse r, string code, long retryAfterMs)
    {
        Assert.Equal(429, r.Status);
        Assert.Equal(code, r.ErrorCode);
        Assert.Equal("rate_limited", r.Error.GetProperty("type").GetString());
        Assert.Equal(retryAfterMs, r.RetryAfterMs);
        Assert.Equal(retryAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("retry-after-ms"));
        Assert.Equal(((retryAfterMs + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("Retry-After"));
    }

    private static LimitState KeyLimits(GatewayFixture gw, string token)
        => gw.Service<TenantDirectory>().FindKey(TokenHash.Of(token))!.Limits;

    /// <summary>Fires 50 requests at the held alias, waits until all but <paramref name="admitted"/> are answered while that many are in flight, then releases them.</summary>
    private static async Task<ApiResponse[]> HeldBurstAsync(GatewayFixture gw, FakeTimeProvider time, string token, LimitState limits, int admitted)
    {
        var tasks = Enumerable.Range(0, Burst).Select(_ => gw.ChatAsync(token, "held", maxTokens: 100)).ToArray();
        await GatewayApi.WaitUntilAsync(() => tasks.Count(t => t.IsCompleted) == Burst - admitted && limits.InFlight.Current == admitted, $"{Burst - admitted} rejections with {admitted} held");
        return await ReleaseAsync(time, tasks);
    }

    /// <summary>Moves the fake clock in 10 ms steps (the mock latency) until every held request has answered.</summary>
    private static async Task<ApiResponse[]> ReleaseAsync(FakeTimeProvider time, Task<ApiResponse>[] tasks)
    {
        await GatewayApi.WaitUntilAsync(() =>
        {
            if (tasks.All(t => t.IsCompleted))
            {
                return true;
            }

            time.Advance(TimeSpan.FromMilliseconds(10));
            return false;
        }, "held requests to finish");
        return await Task.WhenAll(tasks);
    }
}
