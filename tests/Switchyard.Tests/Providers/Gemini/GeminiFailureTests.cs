using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>Google's error answers and Gemini's safety blocks mapped to the gateway's failure contract.</summary>
public sealed class GeminiFailureTests
{
    private const string Key = GeminiGatewayTests.Key;

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, int retries = 0, string key = Key)
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gem
                litellm_params:
                  model: gemini/{{GeminiWire.Model}}
                  api_base: {{upstream.BaseUrl}}
                  api_key: {{key}}
            router_settings:
              num_retries: {{retries}}
            """);

    [Fact]
    public async Task RateLimited_429WithRetryInfo_Is429WithRetryAfterFromRetryDelay()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteErrorAsync(c, 429, "RESOURCE_EXHAUSTED",
            "You exceeded your current quota, please check your plan and billing details.",
            [
                new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.rpc.QuotaFailure", ["violations"] = new[] { new { quotaMetric = "generativelanguage.googleapis.com/generate_content_free_tier_requests" } } },
                GeminiWire.RetryInfo("34s"),
            ]));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.ChatAsync("gem");

        var summary = await FailureAssert.ReadAsync(response, 429, "rate_limited", "upstream_rate_limited");
        Assert.Equal(34_000, summary.RetryAfterMs);
        Assert.Equal("gemini", summary.ProviderFamily);
        Assert.DoesNotContain("quota", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidArgument_400_IsCallerError_NotRetried()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteErrorAsync(c, 400, "INVALID_ARGUMENT", "* GenerateContentRequest.generation_config.max_output_tokens: must be positive"));
        await using var gw = await StartAsync(upstream, retries: 2);

        using var response = await gw.ChatAsync("gem");

        var summary = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "invalid_argument");
        Assert.DoesNotContain("max_output_tokens", summary.Message, StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task InputTooLong_400_IsContextLengthExceeded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteErrorAsync(c, 400, "INVALID_ARGUMENT",
            "The input token count (1200000) exceeds the maximum number of tokens allowed (1048575)."));
        await using var gw = await StartAsync(upstream);

        using var response = await gw.ChatAsync("gem");

        await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "context_length_exceeded");
    }

    [Fact]
    public async Task WrongKey_400ApiKeyInvalid_And_MissingKey_403PermissionDenied_AreTheGatewaysCredentials()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("unreachable")]));
        await using var wrong = await StartAsync(upstream, key: "AIza-wrong");
        await using var missing = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gem
                litellm_params:
                  model: gemini/{{GeminiWire.Model}}
                  api_base: {{upstream.BaseUrl}}
            """);

        using var invalid = await wrong.ChatAsync("gem");
        using var denied = await missing.ChatAsync("gem");

        var a = await FailureAssert.ReadAsync(invalid, 502, "upstream_error", "upstream_auth_failed");
        var b = await FailureAssert.ReadAsync(denied, 502, "upstream_error", "upstream_auth_failed");
        Assert.Contains("(400)", a.Message, StringComparison.Ordinal);
        Assert.Contains("(403)", b.Message, StringComparison.Ordinal);
        Assert.False(upstream.Requests.Last().Headers.ContainsKey("x-goog-api-key"));
    }

    [Theory]
    [InlineData(500, "INTERNAL")]
    [InlineData(503, "UNAVAILABLE")]
    public async Task ServerError_IsRetriedThenUpstreamServerError(int code, string status)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => upstream.Count == 1
            ? GeminiWire.WriteErrorAsync(c, code, status, "An internal error has occurred.")
            : GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("recovered")]));
        await using var gw = await StartAsync(upstream, retries: 1);

        using var retried = await gw.ChatAsync("gem");

        Assert.Equal(System.Net.HttpStatusCode.OK, retried.StatusCode);
        Assert.Contains("recovered", await retried.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, upstream.Count);

        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteErrorAsync(c, code, status, "An internal error has occurred."));
        using var failed = await gw.ChatAsync("gem");

        await FailureAssert.ReadAsync(failed, 502, "upstream_error", "upstream_server_error");
    }

    [Fact]
    public async Task PromptBlocked_Is400ContentPolicyViolation_NotRetried()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, (c, _) => GeminiWire.WriteJsonAsync(c, new
        {
            promptFeedback = new { blockReason = "PROHIBITED_CONTENT" },
            usageMetadata = GeminiWire.Usage(7, 0),
            modelVersion = GeminiWire.Model,
        }));
        await using var gw = await StartAsync(upstream, retries: 2);

        using var response = await gw.ChatAsync("gem");

        var summary = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "content_policy_violation");
        Assert.Contains("PROHIBITED_CONTENT", summary.Message, StringComparison.Ordinal);
        Assert.Single(upstream.Requests);
    }
}
