using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class RetryTests
{
    private static string Single(FakeUpstream upstream, string router = "", string retry = "base_delay: 0") => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
            model_info:
              id: only
        router_settings:
          {{router}}
        switchyard:
          retry:
            {{retry}}
        """;

    [Fact]
    public async Task Retry_Upstream500Then200_SucceedsOnSecondAttempt()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => upstream.Count == 1 ? OpenAIWire.WriteErrorAsync(c, 500, "boom") : OpenAIWire.WriteCompletionAsync(c, "second time lucky");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.ChatAsync("chat");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("x-switchyard-attempts").Single());
        Assert.Contains("second time lucky", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Retry_429WithRetryAfterAndAnotherDeploymentFree_SecondAttemptGoesToTheOther()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        var hits = 0;
        Task Answer(Microsoft.AspNetCore.Http.HttpContext c) => Interlocked.Increment(ref hits) == 1
            ? OpenAIWire.WriteErrorAsync(c, 429, "Rate limit reached", "requests", "rate_limit_exceeded", retryAfter: TimeSpan.FromSeconds(20))
            : OpenAIWire.WriteCompletionAsync(c, "ok");
        a.Handler = (c, _) => Answer(c);
        b.Handler = (c, _) => Answer(c);
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{a.BaseUrl}}/v1
                model_info:
                  id: a
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{b.BaseUrl}}/v1
                model_info:
                  id: b
            switchyard:
              retry:
                base_delay: 0
            """);

        using var response = await gw.ChatAsync("chat");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("x-switchyard-attempts").Single());
        Assert.Equal(1, a.Count);
        Assert.Equal(1, b.Count);
        var limited = response.Headers.GetValues("x-switchyard-deployment").Single() == "a" ? b : a;
        Assert.Equal(1, limited.Count);
    }

    [Fact]
    public async Task Retry_429RetryAfterAboveMaxDelaySingleDeployment_Answers429AtOnceWithUpstreamRetryAfter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 429, "Rate limit reached for requests", "requests", "rate_limit_exceeded", retryAfter: TimeSpan.FromSeconds(30));
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 3", "max_delay: 2s"));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 429, "rate_limited", "upstream_rate_limited");
        Assert.Equal(30_000, s.RetryAfterMs);
        Assert.Equal("30", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("chat", s.Route);
        Assert.Equal("openai", s.ProviderFamily);
        Assert.DoesNotContain("Rate limit reached", s.Message, StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Retry_AfterRetryAfterAboveMaxDelay_DeploymentCoolsDownAndGatewayAnswers503UntilThen()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 429, "slow down", "requests", "rate_limit_exceeded", retryAfter: TimeSpan.FromSeconds(30));
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 3", "max_delay: 2s"), time);
        using (var first = await gw.ChatAsync("chat"))
        {
            Assert.Equal(30_000, (await FailureAssert.ReadAsync(first, 429, "rate_limited", "upstream_rate_limited")).RetryAfterMs);
        }

        time.Advance(TimeSpan.FromSeconds(12));
        using (var second = await gw.ChatAsync("chat"))
        {
            // the code and message say why: the provider's own 429 asked for the wait, not a breaker or the deployment's rpm
            var s = await FailureAssert.ReadAsync(second, 503, "route_unavailable", "upstream_cooldown");
            Assert.Equal(18_000, s.RetryAfterMs);
            Assert.Contains("cooling down after an upstream 429", s.Message, StringComparison.Ordinal);
            Assert.Contains("retry in 18 s", s.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("breaker", s.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, upstream.Count);
        time.Advance(TimeSpan.FromSeconds(18));
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "ok again");
        using (var third = await gw.ChatAsync("chat"))
        {
            Assert.Equal(200, (int)third.StatusCode);
        }

        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Retry_429ShortRetryAfterSingleDeployment_WaitsAndRetriesSameDeployment()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => upstream.Count == 1
            ? OpenAIWire.WriteErrorAsync(c, 429, "slow down", "requests", "rate_limit_exceeded", retryAfter: TimeSpan.FromMilliseconds(150))
            : OpenAIWire.WriteCompletionAsync(c, "ok");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 2", "max_delay: 2s"));

        using var response = await gw.ChatAsync("chat");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("x-switchyard-attempts").Single());
        Assert.Equal(2, upstream.Count);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    public async Task NumRetries_AlwaysFailing_UpstreamHitNumRetriesPlusOne(int numRetries, int expectedHits)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 503, "overloaded");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, $"num_retries: {numRetries}") + "\n  breaker:\n    consecutive_failures: 50\n");

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal(expectedHits, upstream.Count);
        Assert.Contains("answered 503", s.Message, StringComparison.Ordinal);
        if (expectedHits > 1)
        {
            Assert.Contains($"after {expectedHits} attempts", s.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Retry_ServerErrorWithTwoDeployments_RetryGoesToTheUntriedOne()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        a.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        b.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{a.BaseUrl}}/v1
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{b.BaseUrl}}/v1
            router_settings:
              num_retries: 1
            switchyard:
              retry:
                base_delay: 0
            """);

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Contains("after 2 attempts", s.Message, StringComparison.Ordinal);
        Assert.Equal((1, 1), (a.Count, b.Count));
    }

    [Fact]
    public async Task MaxRetries_PerDeployment_CapsRetriesOnThatDeployment()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 4").Replace(
            "api_base: " + upstream.BaseUrl + "/v1\n", "api_base: " + upstream.BaseUrl + "/v1\n      max_retries: 1\n", StringComparison.Ordinal));

        using var response = await gw.ChatAsync("chat");

        await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal(1, gw.Config.Deployments[0].MaxRetries);
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task NumRetries_FromLitellmSettings_Applies()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream) + "\nlitellm_settings:\n  num_retries: 1\n");

        using var response = await gw.ChatAsync("chat");

        await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task RetryPolicy_InternalServerErrorRetries_OverridesNumRetries()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, """
            num_retries: 4
              retry_policy:
                InternalServerErrorRetries: 1
            """) + "\n  breaker:\n    consecutive_failures: 50\n");

        using var response = await gw.ChatAsync("chat");

        await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task RetryPolicy_RateLimitErrorRetriesZero_429NotRetried()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 429, "slow down", "requests", "rate_limit_exceeded");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, """
            num_retries: 4
              retry_policy:
                RateLimitErrorRetries: 0
            """));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 429, "rate_limited", "upstream_rate_limited");
        Assert.Null(s.RetryAfterMs);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Retry_Caller400FromUpstream_NotRetriedAndKeepsCodeAndParamButNotMessage()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var other = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(
            c, 400, "Invalid value for 'temperature': upstream internal detail XYZZY", "invalid_request_error", "invalid_value", "temperature");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
              - model_name: spare
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{other.BaseUrl}}/v1
            router_settings:
              num_retries: 3
              fallbacks:
                - chat: [spare]
            switchyard:
              retry:
                base_delay: 0
            """);

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "invalid_value");
        Assert.Equal("temperature", s.Param);
        Assert.Equal("chat", s.Route);
        Assert.Equal("openai", s.ProviderFamily);
        Assert.Null(s.RetryAfterMs);
        Assert.DoesNotContain("XYZZY", s.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid value", s.Message, StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count);
        Assert.Equal(0, other.Count);
    }

    [Fact]
    public async Task Retry_Caller422WithoutCode_StatusKeptAndGenericCode()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            c.Response.StatusCode = 422;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"detail\":\"secret upstream words\"}");
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 2"));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 422, "invalid_request_error", "upstream_rejected");
        Assert.Null(s.Param);
        Assert.DoesNotContain("secret upstream words", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Retry_Upstream401_NotRetriedOnSameDeploymentAndReportedAsGatewayProblem()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 401, "Incorrect API key provided: sk-prov***", "invalid_request_error", "invalid_api_key");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 3"));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_auth_failed");
        Assert.DoesNotContain("Incorrect API key", s.Message, StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Retry_EveryDeploymentCoolingDownAfter5xx_502HintIsTheSoonestReopening()
    {
        await using var a = await FakeUpstream.StartAsync();
        await using var b = await FakeUpstream.StartAsync();
        a.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom", retryAfter: TimeSpan.FromSeconds(40));
        b.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom", retryAfter: TimeSpan.FromSeconds(20));
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{a.BaseUrl}}/v1
                model_info:
                  id: a
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{b.BaseUrl}}/v1
                model_info:
                  id: b
            router_settings:
              num_retries: 1
            switchyard:
              retry:
                base_delay: 0
            """);

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal(1, a.Count);
        Assert.Equal(1, b.Count);
        Assert.InRange(s.RetryAfterMs!.Value, 10_000, 20_000); // b's cooldown (the sooner), less the time the request took
    }

    [Fact]
    public async Task Retry_5xxWithoutRetryAfterAndNoCooldown_502CarriesTheShortHint()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "num_retries: 1"));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal(1_000, s.RetryAfterMs);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal("1000", response.Headers.GetValues("retry-after-ms").Single());
        Assert.Equal("true", response.Headers.GetValues("x-should-retry").Single());
    }
}
