using System.Text.Json;
using Switchyard.Callbacks;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// litellm_settings callbacks: [generic_api] through a real gateway to a real local HTTP receiver (FakeUpstream plays
/// the webhook): one JSON POST per request, failures included, and a receiver that is down costs requests nothing.
/// </summary>
public sealed class CallbackWebhookTests
{
    private const string ProviderKey = "sk-provider-secret-0123456789abcdef";

    private static JsonElement[] Posts(FakeUpstream receiver)
        => [.. receiver.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/log").Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())];

    [Fact]
    public async Task EachRequest_IsOneJsonPost_WithLiteLlmFields_AndNoSecret_FailuresIncluded()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        receiver.Handler = (c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; };
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => r.Body.Contains("\"broken\"", StringComparison.Ordinal)
            ? OpenAIWire.WriteErrorAsync(c, 500, "upstream is down")
            : OpenAIWire.WriteCompletionAsync(c, "hello there", prompt: 12, completion: 3);
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: {{ProviderKey}}
                  input_cost_per_token: 0.000001
                  output_cost_per_token: 0.000002
                model_info:
                  id: chat-1
              - model_name: broken
                litellm_params:
                  model: openai/broken
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: {{ProviderKey}}
            router_settings:
              num_retries: 0
            litellm_settings:
              success_callback: ["generic_api"]
              failure_callback: ["generic_api"]
            switchyard:
              tenants:
                - tenant_id: acme
            """, env: new Dictionary<string, string> { ["GENERIC_LOGGER_ENDPOINT"] = receiver.BaseUrl + "/log", ["GENERIC_LOGGER_HEADERS"] = "X-Hook-Token=hook-secret" });
        var (key, hash) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var webhook = gw.Service<CallbackWebhook>();

        var ok1 = await gw.ChatAsync(key, "chat");
        var ok2 = await gw.ChatAsync(key, "chat");
        var failed = await gw.ChatAsync(key, "broken");

        Assert.Equal(200, ok1.Status);
        Assert.Equal(200, ok2.Status);
        Assert.True(failed.Status >= 500, failed.ToString());
        await GatewayApi.WaitUntilAsync(() => webhook.Delivered == 3, "three webhook posts");
        var posts = Posts(receiver);
        Assert.Equal(3, posts.Length);
        Assert.All(receiver.Requests, r => Assert.Equal("hook-secret", r.Headers["x-hook-token"]));
        Assert.All(receiver.Requests, r => Assert.DoesNotContain(ProviderKey, r.Body, StringComparison.Ordinal));
        Assert.All(receiver.Requests, r => Assert.DoesNotContain(key, r.Body, StringComparison.Ordinal));

        var successes = posts.Where(p => p.GetProperty("status").GetString() == "success").ToArray();
        Assert.Equal(2, successes.Length);
        Assert.All(successes, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("id").GetString()))); // the answer's id
        Assert.Equal(2, successes.Select(p => p.GetProperty("metadata").GetProperty("correlation_id").GetString()).Distinct().Count());
        var s = successes[0];
        Assert.Equal("acompletion", s.GetProperty("call_type").GetString());
        Assert.Equal("openai/gpt-4o-mini", s.GetProperty("model").GetString());
        Assert.Equal("chat", s.GetProperty("model_group").GetString());
        Assert.Equal("chat-1", s.GetProperty("model_id").GetString());
        Assert.Equal(12, s.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(3, s.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(15, s.GetProperty("total_tokens").GetInt64());
        Assert.Equal(0.000018m, s.GetProperty("response_cost").GetDecimal());
        Assert.True(s.GetProperty("endTime").GetDouble() >= s.GetProperty("startTime").GetDouble());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("error_str").ValueKind);
        var meta = s.GetProperty("metadata");
        Assert.Equal(hash, meta.GetProperty("user_api_key_hash").GetString());
        Assert.Equal("acme", meta.GetProperty("user_api_key_team_id").GetString());
        Assert.False(string.IsNullOrEmpty(meta.GetProperty("correlation_id").GetString()));

        var f = Assert.Single(posts, p => p.GetProperty("status").GetString() == "failure");
        Assert.Equal("broken", f.GetProperty("model_group").GetString());
        Assert.Equal(0, f.GetProperty("total_tokens").GetInt64());
        Assert.Equal(failed.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), f.GetProperty("error_information").GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrEmpty(f.GetProperty("error_str").GetString()));
    }

    [Fact]
    public async Task SuccessCallbackOnly_PostsNoFailures()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        receiver.Handler = (c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; };
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat}
              - model_name: broken
                litellm_params: {model: mock/broken, mock_fail_status: 500}
            router_settings:
              num_retries: 0
            litellm_settings:
              success_callback: ["generic_api"]
            """, env: new Dictionary<string, string> { ["GENERIC_LOGGER_ENDPOINT"] = receiver.BaseUrl + "/log" });
        var webhook = gw.Service<CallbackWebhook>();

        var failed = await gw.ChatAsync(GatewayFixture.MasterKey, "broken");
        var ok = await gw.ChatAsync(GatewayFixture.MasterKey, "chat");

        Assert.True(failed.Status >= 500, failed.ToString());
        Assert.Equal(200, ok.Status);
        await GatewayApi.WaitUntilAsync(() => webhook.Delivered == 1, "the success post");
        var post = Assert.Single(Posts(receiver));
        Assert.Equal("chat", post.GetProperty("model_group").GetString());
        Assert.Equal("success", post.GetProperty("status").GetString());
    }

    [Fact]
    public async Task WebhookDown_RequestsStillSucceed_AndTheEventIsRetriedThenCountedFailed()
    {
        var receiver = await FakeUpstream.StartAsync();
        var downUrl = receiver.BaseUrl + "/log";
        await receiver.DisposeAsync(); // nothing listens there now: every post is refused
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat}
            litellm_settings:
              callbacks: ["webhook"]
            """, env: new Dictionary<string, string> { ["GENERIC_LOGGER_ENDPOINT"] = downUrl });
        var webhook = gw.Service<CallbackWebhook>();

        var answers = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        }

        Assert.All(answers, s => Assert.Equal(200, s));
        await GatewayApi.WaitUntilAsync(() => webhook.Failed >= 1, "the first event to be given up");
        Assert.Equal(0, webhook.Delivered);
        Assert.True(webhook.Retried >= CallbackWebhook.MaxAttempts - 1, $"retried {webhook.Retried}");
        Assert.Equal(0, webhook.Dropped);
    }

    [Fact]
    public async Task Langfuse_TracesArePostedToItsOtelEndpoint_WithBasicAuth()
    {
        await using var langfuse = await FakeUpstream.StartAsync();
        langfuse.Handler = (c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; };
        var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat
                litellm_params: {model: mock/chat}
            litellm_settings:
              success_callback: ["langfuse"]
            """, env: new Dictionary<string, string> { ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-test", ["LANGFUSE_SECRET_KEY"] = "sk-lf-test", ["LANGFUSE_HOST"] = langfuse.BaseUrl });
        try
        {
            Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        }
        finally
        {
            await gw.DisposeAsync(); // the batch exporter flushes on shutdown
        }

        var exports = langfuse.Requests.Where(r => r.PathAndQuery == "/api/public/otel/v1/traces").ToArray();
        Assert.NotEmpty(exports);
        Assert.All(exports, export =>
        {
            Assert.Equal("POST", export.Method);
            Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("pk-lf-test:sk-lf-test")), export.Headers["authorization"]);
            Assert.StartsWith("application/x-protobuf", export.Headers["content-type"], StringComparison.Ordinal);
        });
    }
}
