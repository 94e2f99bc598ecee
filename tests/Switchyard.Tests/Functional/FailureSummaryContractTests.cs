using System.ClientModel;
using System.Net;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class FailureSummaryContractTests(ContractGateway fixture) : IClassFixture<ContractGateway>
{
    private GatewayFixture Gw => fixture.Gateway;

    private async Task<HttpResponseMessage> SendAsync(string scenario)
    {
        switch (scenario)
        {
            case "no-token":
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(GatewayRequests.ChatBody("ok")) };
                request.Headers.Authorization = null;
                using var bare = new HttpClient { BaseAddress = new Uri(Gw.BaseUrl) };
                return await bare.SendAsync(request);
            }

            case "bad-token":
                return await Gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("ok"), new Dictionary<string, string> { ["Authorization"] = "Bearer sk-wrong-key-123" });
            case "bad-json":
                return await Gw.PostAsync("/v1/chat/completions", "{\"model\": ");
            case "too-large":
                return await Gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("ok", content: new string('x', 4096)));
            case "unknown-model":
                return await Gw.ChatAsync("nope");
            case "unknown-path":
                return await Gw.Http.GetAsync("/v1/nothing-here");
            case "wrong-method":
                return await Gw.Http.DeleteAsync("/v1/chat/completions");
            default:
                return await Gw.ChatAsync(scenario);
        }
    }

    public static TheoryData<string, int, string, string, string?> ErrorPaths => new()
    {
        { "no-token", 401, "authentication_error", "missing_token", null },
        { "bad-token", 401, "authentication_error", "invalid_token", null },
        { "bad-json", 400, "invalid_request_error", "invalid_json", null },
        { "too-large", 413, "payload_too_large", "body_too_large", null },
        { "unknown-model", 404, "not_found", "model_not_found", null },
        { "unknown-path", 404, "not_found", "unknown_route", null },
        { "wrong-method", 405, "invalid_request_error", "method_not_allowed", null },
        { "ratelimited", 429, "rate_limited", "upstream_rate_limited", "openai" },
        { "broken", 502, "upstream_error", "upstream_server_error", "openai" },
        { "reset", 502, "upstream_error", "upstream_connection_error", "openai" },
        { "garbage", 502, "upstream_error", "upstream_invalid_response", "openai" },
        { "rejected", 400, "invalid_request_error", "invalid_value", "openai" },
        { "slow", 504, "upstream_timeout", "upstream_timeout", "openai" },
        { "nokeys", 503, "route_unavailable", "all_deployments_unavailable", null },
    };

    [Theory]
    [MemberData(nameof(ErrorPaths))]
    public async Task ErrorPath_Answer_HasAllEightFieldsStatusAndHeaders(string scenario, int status, string type, string code, string? family)
    {
        using var response = await SendAsync(scenario);

        var s = await FailureAssert.ReadAsync(response, status, type, code);
        Assert.Equal(26, s.CorrelationId!.Length);
        Assert.Equal(family, s.ProviderFamily);
        // route is the name asked for whenever one was given: refusals before the body is read (401) peek at a small body
        var asked = scenario switch
        {
            "no-token" or "bad-token" => "ok",
            "unknown-model" => "nope",
            _ when family is not null || scenario == "nokeys" => scenario,
            _ => null,
        };
        Assert.Equal(asked, s.Route);
        if (scenario == "ratelimited")
        {
            // the upstream's Retry-After: 42 cools the deployment; the summary carries the time left of that cooldown
            // when the answer is written, so a busy machine may see a few milliseconds less than 42 s, never more
            Assert.InRange(s.RetryAfterMs!.Value, 40_000, 42_000);
        }
        else
        {
            Assert.Equal(status is 502 or 504 ? 1_000L : null, s.RetryAfterMs);
        }

        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret words", body, StringComparison.Ordinal);
        Assert.DoesNotContain("The server had an error", body, StringComparison.Ordinal);
        Assert.DoesNotContain("surprise", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task ErrorPath_CallerCorrelationId_IsTheSummaryCorrelationId()
    {
        using var response = await Gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("broken"), new Dictionary<string, string> { ["X-Correlation-Id"] = "thread-42/turn-7" });

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_server_error");
        Assert.Equal("thread-42/turn-7", s.CorrelationId);
    }

    public static TheoryData<string, int> SdkPaths => new()
    {
        { "nope", 404 },
        { "ratelimited-sdk", 429 }, // its own group: a 429 with Retry-After cools the deployment down
        { "broken", 502 },
        { "rejected", 400 },
        { "slow", 504 },
        { "nokeys", 503 },
    };

    [Theory]
    [MemberData(nameof(SdkPaths))]
    public async Task Sdk_ErrorAnswer_SurfacesAsClientResultExceptionWithStatus(string model, int status)
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => Gw.Chat(model).CompleteChatAsync([new UserChatMessage("ping")]));

        Assert.Equal(status, e.Status);
        var raw = e.GetRawResponse()!;
        var s = FailureAssert.Parse(raw.Content.ToString());
        Assert.True(raw.Headers.TryGetValue("X-Correlation-Id", out var id));
        Assert.Equal(id, s.CorrelationId);
        Assert.Contains(s.Message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_BadKey_SurfacesAs401()
    {
        var e = await Assert.ThrowsAsync<ClientResultException>(() => Gw.Chat("ok", key: "sk-not-the-key").CompleteChatAsync([new UserChatMessage("ping")]));

        Assert.Equal(401, e.Status);
        Assert.Equal("invalid_token", FailureAssert.Parse(e.GetRawResponse()!.Content.ToString()).Code);
    }

    [Fact]
    public async Task Success_Answer_CarriesCorrelationIdHeader()
    {
        using var response = await Gw.ChatAsync("ok");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(26, response.Headers.GetValues("X-Correlation-Id").Single().Length);
    }
}
