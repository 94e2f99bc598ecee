using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Caching;

/// <summary>Configs and a fake OpenAI upstream for the response cache tests: chat and embeddings, each call counted by the fake.</summary>
internal static class CacheWire
{
    public static string Config(FakeUpstream upstream, string cacheParams = "type: local", string switchyard = "") => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
          - model_name: embed
            litellm_params:
              model: openai/text-embedding-3-small
              api_base: {{upstream.BaseUrl}}/v1
        router_settings:
          num_retries: 0
        litellm_settings:
          cache: true
          cache_params:
            {{cacheParams}}
        {{switchyard}}
        """;

    /// <summary>Chat answers (whole or streamed, as asked) and embeddings, faithful to OpenAI's wire format.</summary>
    public static Task Answer(HttpContext c, RecordedRequest r)
    {
        if (r.PathAndQuery.Contains("embeddings", StringComparison.Ordinal))
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                @object = "list",
                data = new[] { new { @object = "embedding", index = 0, embedding = new[] { 0.125, -0.5, 0.25 } } },
                model = "text-embedding-3-small",
                usage = new { prompt_tokens = 2, total_tokens = 2 },
            }));
        }

        return r.Body.Contains("\"stream\":true", StringComparison.Ordinal)
            ? OpenAIWire.WriteStreamAsync(c, r, "Hel", "lo")
            : OpenAIWire.WriteCompletionAsync(c, "Hello");
    }

    public static string Chat(string content = "ping", bool stream = false, string extra = "")
        => $$"""{"model":"chat","messages":[{"role":"user","content":{{JsonSerializer.Serialize(content)}}}],"stream":{{(stream ? "true" : "false")}}{{extra}}}""";

    public static Task<ApiResponse> PostChatAsync(this GatewayFixture gw, string body, string? token = GatewayFixture.MasterKey)
        => gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", token, body);
}
