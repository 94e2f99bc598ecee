using System.Text.Json;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

#pragma warning disable OPENAI001 // the Responses client is marked experimental

namespace Switchyard.Tests.Responses;

/// <summary>POST /v1/responses end to end with the official OpenAI .NET SDK's responses client against a real gateway.</summary>
public sealed class ResponsesGatewayTests
{
    private const string NativeAnswer = """
        {"id":"resp_upstream1","object":"response","created_at":1700000000,"status":"completed","model":"gpt-5",
         "output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"native hi","annotations":[]}]}],
         "usage":{"input_tokens":5,"input_tokens_details":{"cached_tokens":0},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":7}}
        """;

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string provider = "openai/gpt-5", string extra = "", string tail = "")
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: {{provider}}
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-upstream
            {{extra}}
            """ + tail);

    private static ResponsesClient Client(GatewayFixture gw, string key = GatewayFixture.MasterKey) => gw.Client(key).GetResponsesClient();

    private static JsonElement Json(string body) => JsonDocument.Parse(body).RootElement.Clone();

    private static async Task WriteNativeStreamAsync(HttpContext c)
    {
        c.Response.ContentType = "text/event-stream";
        string[] events =
        [
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_up2","object":"response","created_at":1,"status":"in_progress","model":"gpt-5","output":[]}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"nat","logprobs":[]}""",
            """{"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"ive","logprobs":[]}""",
            """{"type":"response.completed","sequence_number":4,"response":{"id":"resp_up2","object":"response","created_at":1,"status":"completed","model":"gpt-5","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"native","annotations":[]}]}],"usage":{"input_tokens":6,"output_tokens":2,"total_tokens":8}}}""",
        ];
        foreach (var e in events)
        {
            var type = Json(e).GetProperty("type").GetString();
            await OpenAIWire.WriteRawAsync(c, $"event: {type}\ndata: {e}\n\n");
        }
    }

    [Fact]
    public async Task Native_NonStream_BodyPassedThroughWithOnlyTheModelSpliced_StoredForGet()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync(NativeAnswer);
        };
        await using var gw = await StartAsync(upstream, extra: "      responses: native");
        const string body = """{"model":"gpt","input":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search"}],"instructions":"be brief","store":true}""";

        var r = await gw.SendAsync(HttpMethod.Post, "/v1/responses", GatewayFixture.MasterKey, body);

        Assert.Equal(200, r.Status);
        Assert.Equal("native hi", r.Json.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses", sent.PathAndQuery);
        Assert.Equal(body.Replace("\"model\":\"gpt\"", "\"model\":\"gpt-5\"", StringComparison.Ordinal), sent.Body);
        Assert.Equal("Bearer sk-upstream", sent.Headers["authorization"]);

        var stored = (await Client(gw).GetResponseAsync("resp_upstream1")).Value;
        Assert.Equal("native hi", stored.GetOutputText());
    }

    [Fact]
    public async Task Native_Stream_RelayedAsIs_SdkReadsDeltasAndCompleted()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => WriteNativeStreamAsync(c);
        await using var gw = await StartAsync(upstream, extra: "      responses: native");

        var text = "";
        ResponseResult? completed = null;
        await foreach (var update in await Client(gw).CreateResponseStreamingAsync(new CreateResponseOptions("gpt", [ResponseItem.CreateUserMessageItem("hi")]) { StreamingEnabled = true }))
        {
            text += (update as StreamingResponseOutputTextDeltaUpdate)?.Delta;
            completed = (update as StreamingResponseCompletedUpdate)?.Response ?? completed;
        }

        Assert.Equal("native", text);
        Assert.Equal(8, completed!.Usage.TotalTokenCount);
        var sent = Json(Assert.Single(upstream.Requests).Body);
        Assert.Equal("gpt-5", sent.GetProperty("model").GetString());
        Assert.True(sent.GetProperty("stream").GetBoolean());
        Assert.False(sent.TryGetProperty("stream_options", out _));
        Assert.Equal("native", (await Client(gw).GetResponseAsync("resp_up2")).Value.GetOutputText());
    }

    [Fact]
    public async Task ChatOnly_NonStream_InstructionsAndJsonSchemaTranslated()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, """{"city":"Paris"}""", model: "gpt-5", prompt: 20, completion: 6);
        await using var gw = await StartAsync(upstream);
        var options = new CreateResponseOptions("gpt", [ResponseItem.CreateUserMessageItem("capital of France?")])
        {
            Instructions = "answer in JSON",
            MaxOutputTokenCount = 100,
            TextOptions = new ResponseTextOptions
            {
                TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("city", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), jsonSchemaIsStrict: true),
            },
        };

        var response = (await Client(gw).CreateResponseAsync(options)).Value;

        Assert.Equal("""{"city":"Paris"}""", response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Equal(20, response.Usage.InputTokenCount);
        Assert.Equal(26, response.Usage.TotalTokenCount);
        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        var body = Json(sent.Body);
        Assert.Equal("gpt-5", body.GetProperty("model").GetString());
        Assert.Equal("system", body.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("answer in JSON", body.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("user", body.GetProperty("messages")[1].GetProperty("role").GetString());
        Assert.Equal(100, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal("json_schema", body.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("city", body.GetProperty("response_format").GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(body.GetProperty("response_format").GetProperty("json_schema").GetProperty("strict").GetBoolean());
    }

    [Fact]
    public async Task ChatOnly_Stream_TranscodedToTypedEvents()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "Hel", "lo");
        await using var gw = await StartAsync(upstream);

        var text = "";
        var kinds = new List<string>();
        ResponseResult? completed = null;
        await foreach (var update in await Client(gw).CreateResponseStreamingAsync(new CreateResponseOptions("gpt", [ResponseItem.CreateUserMessageItem("hi")]) { StreamingEnabled = true }))
        {
            kinds.Add(update.GetType().Name);
            text += (update as StreamingResponseOutputTextDeltaUpdate)?.Delta;
            completed = (update as StreamingResponseCompletedUpdate)?.Response ?? completed;
        }

        Assert.Equal("Hello", text);
        Assert.Equal("StreamingResponseCreatedUpdate", kinds[0]);
        Assert.Equal("StreamingResponseCompletedUpdate", kinds[^1]);
        Assert.Equal("Hello", completed!.GetOutputText());
        Assert.Equal(11, completed.Usage.InputTokenCount);
        var body = Json(Assert.Single(upstream.Requests).Body);
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("Hello", (await Client(gw).GetResponseAsync(completed.Id)).Value.GetOutputText());
    }

    [Fact]
    public async Task Anthropic_NonStreamAndStream_TranslatedThroughChat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => r.Body.Contains("\"stream\":true", StringComparison.Ordinal)
            ? AnthropicWire.WriteTextStreamAsync(c, "end_turn", "Bon", "jour")
            : AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("Hello from Claude")], input: 12, output: 4);
        await using var gw = await StartAsync(upstream, provider: "anthropic/claude-sonnet-4-5");
        var client = Client(gw);

        var whole = (await client.CreateResponseAsync(new CreateResponseOptions("gpt", [ResponseItem.CreateUserMessageItem("hi")]) { Instructions = "be kind" })).Value;
        var streamed = "";
        await foreach (var update in await client.CreateResponseStreamingAsync(new CreateResponseOptions("gpt", [ResponseItem.CreateUserMessageItem("hi")]) { StreamingEnabled = true }))
        {
            streamed += (update as StreamingResponseOutputTextDeltaUpdate)?.Delta;
        }

        Assert.Equal("Hello from Claude", whole.GetOutputText());
        Assert.Equal(12, whole.Usage.InputTokenCount);
        Assert.Equal("Bonjour", streamed);
        var first = upstream.Requests.First();
        Assert.Equal("/v1/messages", first.PathAndQuery);
        Assert.Contains("be kind", Json(first.Body).GetProperty("system").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolLoop_FunctionCallThenOutput_ContinuedWithPreviousResponseId()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) =>
        {
            c.Response.ContentType = "application/json";
            if (upstream.Count == 1)
            {
                return c.Response.WriteAsync("""
                    {"id":"chatcmpl-t","object":"chat.completion","created":1,"model":"gpt-5","choices":[{"index":0,"finish_reason":"tool_calls",
                     "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_w","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]}}],
                     "usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39}}
                    """);
            }

            return OpenAIWire.WriteCompletionAsync(c, "It is 3 degrees in Oslo.", model: "gpt-5");
        };
        await using var gw = await StartAsync(upstream);
        var client = Client(gw);
        var tool = ResponseTool.CreateFunctionTool("weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""), strictModeEnabled: false, functionDescription: "current weather");

        var first = (await client.CreateResponseAsync(new CreateResponseOptions("gpt", [ResponseItem.CreateUserMessageItem("weather in Oslo?")]) { Tools = { tool } })).Value;
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("weather", call.FunctionName);
        Assert.Equal("call_w", call.CallId);
        Assert.Equal("""{"city":"Oslo"}""", call.FunctionArguments.ToString());

        var second = (await client.CreateResponseAsync(new CreateResponseOptions("gpt", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "3C")])
        {
            PreviousResponseId = first.Id,
            Tools = { tool },
        })).Value;

        Assert.Equal("It is 3 degrees in Oslo.", second.GetOutputText());
        var firstSent = Json(upstream.Requests.First().Body);
        Assert.Equal("weather", firstSent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("current weather", firstSent.GetProperty("tools")[0].GetProperty("function").GetProperty("description").GetString());
        var messages = Json(upstream.Requests.Last().Body).GetProperty("messages");
        Assert.Equal(["user", "assistant", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("weather in Oslo?", messages[0].GetProperty("content").GetString());
        Assert.Equal("call_w", messages[1].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.Equal("{\"city\":\"Oslo\"}", messages[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("call_w", messages[2].GetProperty("tool_call_id").GetString());
        Assert.Equal("3C", messages[2].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Native_PreviousResponseId_ExpandedByTheGateway_NotLeftToTheUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync(NativeAnswer.Replace("resp_upstream1", "resp_n" + upstream.Count, StringComparison.Ordinal));
        };
        await using var gw = await StartAsync(upstream, extra: "      responses: native");

        var first = await gw.SendAsync(HttpMethod.Post, "/v1/responses", GatewayFixture.MasterKey, """{"model":"gpt","input":"one"}""");
        var second = await gw.SendAsync(HttpMethod.Post, "/v1/responses", GatewayFixture.MasterKey, """{"model":"gpt","input":"two","previous_response_id":"resp_n1"}""");

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        var sent = Json(upstream.Requests.Last().Body);
        Assert.False(sent.TryGetProperty("previous_response_id", out _));
        Assert.Equal(
            """[{"role":"user","content":"one"},{"role":"assistant","content":"native hi"},{"role":"user","content":"two"}]""",
            sent.GetProperty("input").GetRawText());
    }

    [Fact]
    public async Task Store_TenantConfined_OtherTenant404_StoreFalseNotKept_DeleteRemoves()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: m
                litellm_params:
                  model: mock/m
            switchyard:
              tenants:
                - tenant_id: acme
                - tenant_id: globex
            """);
        var (acme, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var (globex, _) = await gw.GenerateKeyAsync(new { team_id = "globex" });

        var created = await gw.SendAsync(HttpMethod.Post, "/v1/responses", acme, """{"model":"m","input":"ping"}""");
        var id = created.Json.GetProperty("id").GetString();
        var unstored = await gw.SendAsync(HttpMethod.Post, "/v1/responses", acme, """{"model":"m","input":"ping","store":false}""");

        Assert.Equal(200, created.Status);
        Assert.Equal("This is a mock response from m to: ping", created.Json.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(200, (await gw.GetAsync("/v1/responses/" + id, acme)).Status);
        var foreign = await gw.GetAsync("/v1/responses/" + id, globex);
        Assert.Equal(404, foreign.Status);
        Assert.Equal("response_not_found", foreign.ErrorCode);
        var foreignContinue = await gw.SendAsync(HttpMethod.Post, "/v1/responses", globex, $$"""{"model":"m","input":"more","previous_response_id":"{{id}}"}""");
        Assert.Equal(404, foreignContinue.Status);
        Assert.Equal("previous_response_id", foreignContinue.ErrorParam);
        Assert.Equal(404, (await gw.GetAsync("/v1/responses/" + unstored.Json.GetProperty("id").GetString(), acme)).Status);
        Assert.Equal(401, (await gw.GetAsync("/v1/responses/" + id, null)).Status);

        var deleted = (await Client(gw, acme).DeleteResponseAsync(id)).Value;
        Assert.True(deleted.Deleted);
        Assert.Equal(404, (await gw.GetAsync("/v1/responses/" + id, acme)).Status);
    }

    [Fact]
    public async Task Errors_Typed_UnsupportedOnTranslatedPath_InvalidBody_UnknownPrevious()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await StartAsync(upstream);

        var builtIn = await gw.SendAsync(HttpMethod.Post, "/v1/responses", GatewayFixture.MasterKey, """{"model":"gpt","input":"x","tools":[{"type":"web_search"}]}""");
        var invalid = await gw.SendAsync(HttpMethod.Post, "/v1/responses", GatewayFixture.MasterKey, """{"model":"gpt","input":"x","max_output_tokens":"lots"}""");
        var unknown = await gw.SendAsync(HttpMethod.Post, "/v1/responses", GatewayFixture.MasterKey, """{"model":"gpt","input":"x","previous_response_id":"resp_nope"}""");

        Assert.Equal(400, builtIn.Status);
        Assert.Equal("unsupported_value", builtIn.ErrorCode);
        Assert.Equal("tools[0].type", builtIn.ErrorParam);
        Assert.Equal(400, invalid.Status);
        Assert.Equal("max_output_tokens", invalid.ErrorParam);
        Assert.Equal(404, unknown.Status);
        Assert.Equal("response_not_found", unknown.ErrorCode);
        Assert.Equal("previous_response_id", unknown.ErrorParam);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task ScopedKeyOverItsRpm_Typed429WithRetryHint_SecondCallNeverReachesTheUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "hi");
        await using var gw = await StartAsync(upstream, provider: "openai/gpt-4o-mini"); // not api.openai.com: translated to chat
        var (limited, _) = await gw.GenerateKeyAsync(new { rpm_limit = 1 });

        var first = await gw.SendAsync(HttpMethod.Post, "/v1/responses", limited, """{"model":"gpt","input":"x","store":false}""");
        var second = await gw.SendAsync(HttpMethod.Post, "/v1/responses", limited, """{"model":"gpt","input":"x","store":false}""");

        Assert.Equal(200, first.Status);
        Assert.Equal(429, second.Status);
        Assert.Equal("rate_limited", second.Error.GetProperty("type").GetString());
        Assert.True(second.Error.GetProperty("retry_after_ms").GetInt64() > 0);
        Assert.Equal("gpt", second.Error.GetProperty("route").GetString());
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task DefaultConfig_Offline_ResponsesAnswerFromMock_StreamAndNot()
    {
        await using var gw = await GatewayFixture.StartAsync(await File.ReadAllTextAsync(TestPaths.DefaultConfig), env: new Dictionary<string, string> { ["SWITCHYARD_MASTER_KEY"] = GatewayFixture.MasterKey });
        var client = Client(gw);

        var whole = (await client.CreateResponseAsync("router.default", "ping")).Value;
        var streamed = "";
        await foreach (var update in await client.CreateResponseStreamingAsync("draft.fast", "ping"))
        {
            streamed += (update as StreamingResponseOutputTextDeltaUpdate)?.Delta;
        }

        Assert.Equal("This is a mock response from router-default to: ping", whole.GetOutputText());
        Assert.Equal("This is a mock response from draft-fast to: ping", streamed);
    }

    [Fact]
    public async Task TranslatedStream_BreaksAfterFirstByte_TypedErrorEventThenFailedTransfer_SdkThrows()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("Hel"));
            await Task.Delay(50); // as StreamingTests: let the first event reach the gateway before the reset
            c.Abort();
        };
        await using var gw = await StartAsync(upstream);

        using var response = await gw.PostAsync("/v1/responses", """{"model":"gpt","input":"hi","stream":true}""", streamResponse: true);
        var text = await GatewayRequests.ReadAbandonedAsync(response);

        Assert.Contains("event: response.output_text.delta\n", text, StringComparison.Ordinal);
        Assert.Contains("event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_connection_error\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("response.completed", text, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in await Client(gw).CreateResponseStreamingAsync("gpt", "hi"))
            {
                _ = update;
            }
        });
    }
}
