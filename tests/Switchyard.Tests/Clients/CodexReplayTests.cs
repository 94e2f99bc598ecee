using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// Codex CLI 0.169.0's second call of a tool round (captured: <c>POST /v1/responses</c> streamed, <c>store: false</c>,
/// <c>include: [reasoning.encrypted_content]</c>, <c>client_metadata</c>, <c>prompt_cache_key</c>, a <c>namespace</c>
/// tool holding the sub-agent functions and the built-in <c>web_search</c> tool, then the function_call and its output)
/// against each kind of deployment, with a scoped key as its <c>env_key</c> sends it.
/// </summary>
public sealed class CodexReplayTests
{
    private static readonly CapturedRequest Captured = CapturedRequest.Load("codex-0.169.0-tool-result-turn");

    private static async Task<(GatewayFixture Gateway, string Key)> StartAsync(string deployment)
    {
        var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt-agent
                litellm_params: {{deployment}}
            """);
        var (key, _) = await gw.GenerateKeyAsync(new { models = new[] { "gpt-agent" } });
        return (gw, key);
    }

    private static int WebSearchIndex()
        => Captured.Body["tools"]!.AsArray().Select((t, i) => (Type: (string?)t!["type"], i)).Single(t => t.Type == "web_search").i;

    private static async Task WriteNativeStreamAsync(HttpContext c)
    {
        c.Response.ContentType = "text/event-stream";
        string[] events =
        [
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_up1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5","output":[]}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"done","logprobs":[]}""",
            """{"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"done","annotations":[]}]}}""",
            """{"type":"response.completed","sequence_number":4,"response":{"id":"resp_up1","object":"response","created_at":1,"status":"completed","model":"gpt-5","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"done","annotations":[]}]}],"usage":{"input_tokens":6,"output_tokens":1,"total_tokens":7}}}""",
        ];
        foreach (var e in events)
        {
            var type = JsonDocument.Parse(e).RootElement.GetProperty("type").GetString();
            await OpenAIWire.WriteRawAsync(c, $"event: {type}\ndata: {e}\n\n");
        }
    }

    private static List<JsonElement> Events(string sse)
        => sse.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l[6..]).RootElement.Clone()).ToList();

    [Fact]
    public async Task ToolResultTurn_NativeResponsesDeployment_PassedThroughWithOnlyTheModelSpliced()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => WriteNativeStreamAsync(c);
        var (gw, key) = await StartAsync($"{{ model: openai/gpt-5, api_base: \"{upstream.BaseUrl}/v1\", api_key: sk-upstream, responses: native }}");
        await using var lifetime = gw;

        var (status, body, _) = await Captured.SendAsync(gw, key);

        Assert.True(status == 200, body);
        Assert.Equal("response.completed", Events(body)[^1].GetProperty("type").GetString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", sent.PathAndQuery);
        var expected = Captured.CopyBody();
        expected["model"] = "gpt-5";
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(sent.Body)), "the native body was changed beyond its model: " + sent.Body);
    }

    [Fact]
    public async Task ToolResultTurn_ChatDeployment_WebSearchRefusedByName_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var (gw, key) = await StartAsync($"{{ model: openai/gpt-4o, api_base: \"{upstream.BaseUrl}/v1\", api_key: sk-upstream }}");
        await using var lifetime = gw;

        var (status, body, _) = await Captured.SendAsync(gw, key);

        Assert.Equal(400, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("unsupported_value", error.GetProperty("code").GetString());
        Assert.Equal($"tools[{WebSearchIndex()}].type", error.GetProperty("param").GetString());
        Assert.Contains("drop_params", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task ToolResultTurn_ChatDeploymentWithDropParams_NamespaceFunctionsOffered_HintsAndBuiltInToolNamedAsDropped()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "hello-", "from-tool");
        var (gw, key) = await StartAsync($"{{ model: openai/gpt-4o, api_base: \"{upstream.BaseUrl}/v1\", api_key: sk-upstream, drop_params: true }}");
        await using var lifetime = gw;

        var (status, body, headers) = await Captured.SendAsync(gw, key);

        Assert.True(status == 200, body);
        var dropped = string.Join(",", headers.GetValues("x-switchyard-dropped-params"));
        Assert.Contains("client_metadata", dropped, StringComparison.Ordinal);
        Assert.Contains($"tools[{WebSearchIndex()}](web_search)", dropped, StringComparison.Ordinal);
        var events = Events(body);
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "response.output_item.done");
        var completed = events[^1];
        Assert.Equal("response.completed", completed.GetProperty("type").GetString());
        Assert.Equal("hello-from-tool", completed.GetProperty("response").GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.True(completed.GetProperty("response").GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);

        var chat = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        var names = chat.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()).ToList();
        var members = Captured.Body["tools"]!.AsArray().Single(t => (string?)t!["type"] == "namespace")!["tools"]!.AsArray().Select(t => (string?)t!["name"]).ToList();
        Assert.NotEmpty(members);
        Assert.All(members, m => Assert.Contains(m, names));
        Assert.Contains("exec_command", names);
        Assert.DoesNotContain("web_search", names);
        Assert.False(chat.TryGetProperty("client_metadata", out _));
        var last = chat.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("tool", last.GetProperty("role").GetString());
        Assert.Contains("hello-from-tool", last.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceMemberNamedLikeATopLevelTool_ChatDeployment_RefusedNamingIt()
    {
        var (gw, key) = await StartAsync("{ model: mock/agent, drop_params: true }");
        await using var lifetime = gw;
        var request = Captured.CopyBody();
        var ns = request["tools"]!.AsArray().Single(t => (string?)t!["type"] == "namespace")!;
        ns["tools"]![0]!["name"] = "exec_command";

        var (status, body, _) = await Captured.SendAsync(gw, key, request);

        Assert.Equal(400, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("invalid_value", error.GetProperty("code").GetString());
        Assert.Contains("exec_command", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstTurn_OfflineMock_WebSearchLeftOutAndNamed_CallsAFunctionThenAnswersItsOutput()
    {
        var (gw, key) = await StartAsync("{ model: mock/agent }"); // no drop_params: the mock leaves out what it cannot run
        await using var lifetime = gw;
        var first = Captured.CopyBody();
        var input = first["input"]!.AsArray();
        while (input.Count > 0 && (string?)input[^1]!["type"] is "function_call" or "function_call_output")
        {
            input.RemoveAt(input.Count - 1);
        }

        var (status, body, headers) = await Captured.SendAsync(gw, key, first);

        Assert.True(status == 200, body);
        Assert.Contains($"tools[{WebSearchIndex()}](web_search)", string.Join(",", headers.GetValues("x-switchyard-dropped-params")), StringComparison.Ordinal);
        var done = Events(body).Single(e => e.GetProperty("type").GetString() == "response.output_item.done").GetProperty("item");
        Assert.Equal("function_call", done.GetProperty("type").GetString());

        var (status2, body2, _) = await Captured.SendAsync(gw, key);

        Assert.True(status2 == 200, body2);
        var completed = Events(body2)[^1];
        Assert.Equal("response.completed", completed.GetProperty("type").GetString());
        Assert.Equal("message", completed.GetProperty("response").GetProperty("output")[0].GetProperty("type").GetString());
    }
}
