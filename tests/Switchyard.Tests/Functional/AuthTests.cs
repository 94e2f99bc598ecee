using System.Net.Http.Headers;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class AuthTests
{
    private const string KeyOne = "sk-provider-one-SECRET-aaaa1111";
    private const string KeyTwo = "sk-provider-two-SECRET-bbbb2222";

    private static HttpClient Bare(GatewayFixture gw) => new() { BaseAddress = new Uri(gw.BaseUrl) };

    private static Task<GatewayFixture> MockGatewayAsync() => GatewayFixture.StartAsync("""
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/chat
        """);

    [Fact]
    public async Task Chat_NoToken_401MissingToken()
    {
        await using var gw = await MockGatewayAsync();
        using var client = Bare(gw);

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(GatewayRequests.ChatBody("chat")));

        var s = await FailureAssert.ReadAsync(response, 401, "authentication_error", "missing_token");
        Assert.Equal("chat", s.Route); // the name asked for, read from the small body (failure-contract.md, "route on refusals")
    }

    [Theory]
    [InlineData("Bearer sk-test-master-key-0002")]
    [InlineData("Bearer sk-test-master-key-000")]
    [InlineData("Basic c2stdGVzdC1tYXN0ZXIta2V5LTAwMDE=")]
    [InlineData("Bearer ")]
    public async Task Chat_WrongToken_401(string authorization)
    {
        await using var gw = await MockGatewayAsync();
        using var client = Bare(gw);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(GatewayRequests.ChatBody("chat")) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await client.SendAsync(request);

        var s = await FailureAssert.ReadAsync(response, 401, "authentication_error", authorization.StartsWith("Bearer sk", StringComparison.Ordinal) ? "invalid_token" : "missing_token");
        Assert.DoesNotContain(GatewayFixture.MasterKey, s.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api-key")]
    [InlineData("x-api-key")]
    public async Task Chat_KeyInAlternativeHeader_Accepted(string header)
    {
        await using var gw = await MockGatewayAsync();
        using var client = Bare(gw);
        client.DefaultRequestHeaders.Add(header, GatewayFixture.MasterKey);

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(GatewayRequests.ChatBody("chat")));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Models_NoToken_401()
    {
        await using var gw = await MockGatewayAsync();
        using var client = Bare(gw);

        using var response = await client.GetAsync("/v1/models");

        await FailureAssert.ReadAsync(response, 401, "authentication_error", "missing_token");
    }

    [Theory]
    [InlineData("/health/liveliness")]
    [InlineData("/health/liveness")]
    [InlineData("/health/readiness")]
    public async Task HealthProbes_NoToken_200(string path)
    {
        await using var gw = await MockGatewayAsync();
        using var client = Bare(gw);

        using var response = await client.GetAsync(path);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Health_NoToken_401AndWithToken_200()
    {
        await using var gw = await MockGatewayAsync();
        using var client = Bare(gw);

        using (var denied = await client.GetAsync("/health"))
        {
            await FailureAssert.ReadAsync(denied, 401, "authentication_error", "missing_token");
        }

        using var allowed = await gw.Http.GetAsync("/health");
        Assert.Equal(200, (int)allowed.StatusCode);
        Assert.Contains("\"healthy_count\":1", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderKeys_EachSentOnlyToItsOwnUpstreamAndNeverShown()
    {
        await using var one = await FakeUpstream.StartAsync();
        await using var two = await FakeUpstream.StartAsync();
        await using var keyless = await FakeUpstream.StartAsync();
        two.Handler = (c, r) => r.Body.Contains("\"stream\":true", StringComparison.Ordinal)
            ? OpenAIWire.WriteStreamAsync(c, r, "streamed")
            : OpenAIWire.WriteErrorAsync(c, 401, $"Incorrect API key provided: {KeyTwo}.", "invalid_request_error", "invalid_api_key");
        var env = new Dictionary<string, string> { ["KEY_ONE"] = KeyOne };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: one
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{one.BaseUrl}}/v1
                  api_key: os.environ/KEY_ONE
              - model_name: two
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{two.BaseUrl}}/v1
                  api_key: {{KeyTwo}}
              - model_name: keyless
                litellm_params:
                  model: hosted_vllm/llama
                  api_base: {{keyless.BaseUrl}}/v1
            router_settings:
              num_retries: 0
            """, env: env);

        var responses = new List<HttpResponseMessage>
        {
            await gw.ChatAsync("one"),
            await gw.ChatAsync("two"),
            await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("two", stream: true)),
            await gw.ChatAsync("keyless"),
            await gw.ChatAsync("onе"), // Cyrillic e: a 404 that names the nearest aliases
            await gw.Http.GetAsync("/health"),
            await gw.Http.GetAsync("/v1/models"),
        };

        Assert.Equal([200, 502, 200, 200, 404, 200, 200], responses.Select(r => (int)r.StatusCode).ToArray());
        Assert.All(one.Requests, r => Assert.Equal("Bearer " + KeyOne, r.Headers["authorization"]));
        Assert.All(two.Requests, r => Assert.Equal("Bearer " + KeyTwo, r.Headers["authorization"]));
        Assert.Equal((1, 2, 1), (one.Count, two.Count, keyless.Count));
        Assert.False(keyless.Requests.Single().Headers.ContainsKey("authorization"), "the caller's master key must not be forwarded");
        foreach (var r in one.Requests.Concat(two.Requests).Concat(keyless.Requests))
        {
            Assert.DoesNotContain(GatewayFixture.MasterKey, string.Join("\n", r.Headers.Values) + r.Body, StringComparison.Ordinal);
        }

        foreach (var response in responses)
        {
            var everything = response.Headers.ToString() + response.Content.Headers + await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(KeyOne, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(KeyTwo, everything, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", everything, StringComparison.Ordinal);
            response.Dispose();
        }

        Assert.NotEmpty(gw.Logs.Lines);
        Assert.DoesNotContain("SECRET", gw.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayFixture.MasterKey, gw.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MasterKeys_RotationList_EveryListedKeyAccepted()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/chat
            general_settings:
              master_key: sk-old-master-key-1
            switchyard:
              master_keys: [sk-new-master-key-2]
            """);
        using var client = Bare(gw);

        foreach (var key in new[] { "sk-old-master-key-1", "sk-new-master-key-2" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }
    }
}
