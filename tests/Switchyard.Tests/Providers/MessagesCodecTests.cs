using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Anthropic.Ingress;

namespace Switchyard.Tests.Providers;

public sealed class MessagesCodecTests
{
    private static readonly MessagesCodec Codec = new();

    private static (JsonElement Chat, RequestInfo Info) ToChat(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var info = RequestInspector.Inspect(body, OperationKind.Messages);
        var result = Codec.ToChat(body, info);
        Assert.Null(result.Failure);
        return (JsonDocument.Parse(result.Value!.Body).RootElement, result.Value.Info);
    }

    private static UpstreamFailure Refused(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var result = Codec.ToChat(body, RequestInspector.Inspect(body, OperationKind.Messages));
        Assert.Null(result.Value);
        Assert.Equal(FailureKind.CallerError, result.Failure!.Kind);
        return result.Failure;
    }

    [Fact]
    public void ToChat_FullConversation_TranslatedBothRolesAndTools()
    {
        var (chat, info) = ToChat("""
            {"model":"claude","max_tokens":200,"stream":true,"temperature":0.5,"stop_sequences":["END"],"metadata":{"user_id":"u-1"},
             "system":[{"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Use tools."}],
             "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "thinking":{"type":"enabled","budget_tokens":8000},
             "messages":[
               {"role":"user","content":[{"type":"text","text":"Weather in Paris?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"18C"}]},{"type":"text","text":"Thanks","cache_control":{"type":"ephemeral"}}]}
             ]}
            """);

        Assert.Equal("claude", chat.GetProperty("model").GetString());
        Assert.Equal(200, chat.GetProperty("max_tokens").GetInt32());
        Assert.True(chat.GetProperty("stream").GetBoolean());
        Assert.True(chat.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(0.5, chat.GetProperty("temperature").GetDouble());
        Assert.Equal("END", chat.GetProperty("stop")[0].GetString());
        Assert.Equal("u-1", chat.GetProperty("user").GetString());
        Assert.Equal("required", chat.GetProperty("tool_choice").GetString());
        Assert.False(chat.GetProperty("parallel_tool_calls").GetBoolean());
        Assert.Equal("medium", chat.GetProperty("reasoning_effort").GetString());
        var tool = chat.GetProperty("tools")[0];
        Assert.Equal("function", tool.GetProperty("type").GetString());
        Assert.Equal("get_weather", tool.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("string", tool.GetProperty("function").GetProperty("parameters").GetProperty("properties").GetProperty("city").GetProperty("type").GetString());

        var m = chat.GetProperty("messages");
        Assert.Equal(5, m.GetArrayLength());
        Assert.Equal("system", m[0].GetProperty("role").GetString());
        Assert.Equal("You are terse.\n\nUse tools.", m[0].GetProperty("content").GetString());
        Assert.Equal("data:image/png;base64,iVBOR", m[1].GetProperty("content")[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("https://x/y.png", m[1].GetProperty("content")[2].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("Checking.", m[2].GetProperty("content").GetString());
        var call = m[2].GetProperty("tool_calls")[0];
        Assert.Equal("toolu_1", call.GetProperty("id").GetString());
        Assert.Equal("Paris", JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal("tool", m[3].GetProperty("role").GetString());
        Assert.Equal("toolu_1", m[3].GetProperty("tool_call_id").GetString());
        Assert.Equal("18C", m[3].GetProperty("content").GetString());
        Assert.Equal("user", m[4].GetProperty("role").GetString());
        Assert.Equal("Thanks", m[4].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.DoesNotContain("cache_control", chat.GetRawText(), StringComparison.Ordinal);

        Assert.Equal(OperationKind.Chat, info.Operation);
        Assert.Equal(5, info.MessageCount);
        Assert.True(info.PromptTokensEstimate > 10, $"estimate {info.PromptTokensEstimate}");
    }

    [Theory]
    [InlineData(1024, "low")]
    [InlineData(4096, "medium")]
    [InlineData(16384, "high")]
    public void ToChat_ThinkingBudget_EffortBucket(int budget, string effort)
        => Assert.Equal(effort, ToChat($$"""{"model":"m","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":{{budget}}},"messages":[{"role":"user","content":"x"}]}""").Chat.GetProperty("reasoning_effort").GetString());

    [Fact]
    public void ToChat_ToolChoiceTool_NamedFunction()
    {
        var choice = ToChat("""{"model":"m","max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f"},"messages":[{"role":"user","content":"x"}]}""")
            .Chat.GetProperty("tool_choice");

        Assert.Equal("f", choice.GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public void ToChat_PdfDocument_FilePart()
    {
        var part = ToChat("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBE"}}]}]}""")
            .Chat.GetProperty("messages")[0].GetProperty("content")[0];

        Assert.Equal("file", part.GetProperty("type").GetString());
        Assert.Equal("data:application/pdf;base64,JVBE", part.GetProperty("file").GetProperty("file_data").GetString());
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":5,"top_k":3,"messages":[{"role":"user","content":"x"}]}""", "top_k")]
    [InlineData("""{"model":"m","max_tokens":5,"container":"c1","messages":[{"role":"user","content":"x"}]}""", "container")]
    [InlineData("""{"model":"m","max_tokens":5,"mcp_servers":[],"messages":[{"role":"user","content":"x"}]}""", "mcp_servers")]
    [InlineData("""{"model":"m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"x"}]}""", "tools[0].type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}""", "messages[0].content[0].source.type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://x/a.pdf"}}]}]}""", "messages[0].content[0].source.type")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"search_result","source":"s","title":"t","content":[]}]}]}""", "messages[0].content[0].type")]
    public void ToChat_NoChatEquivalent_RefusedNamingParam(string json, string param)
    {
        var failure = Refused(json);

        Assert.Equal(param, failure.UpstreamParam);
        Assert.Equal("unsupported_value", failure.UpstreamCode);
        Assert.Equal(400, failure.UpstreamStatus);
    }

    [Fact]
    public void FromChat_TextAndToolCall_MessageWithToolUse()
    {
        var chat = """
            {"id":"chatcmpl-abc","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Let me look.",
             "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":100}}}
            """u8;
        var message = JsonDocument.Parse(Codec.FromChat(chat, Info("alias"))).RootElement;

        Assert.Equal("msg_abc", message.GetProperty("id").GetString());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("tool_use", message.GetProperty("stop_reason").GetString());
        Assert.Equal("Let me look.", message.GetProperty("content")[0].GetProperty("text").GetString());
        var use = message.GetProperty("content")[1];
        Assert.Equal("tool_use", use.GetProperty("type").GetString());
        Assert.Equal("call_1", use.GetProperty("id").GetString());
        Assert.Equal("Oslo", use.GetProperty("input").GetProperty("city").GetString());
        Assert.Equal(20, message.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(100, message.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(30, message.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Theory]
    [InlineData("stop", "end_turn")]
    [InlineData("length", "max_tokens")]
    [InlineData("content_filter", "refusal")]
    public void FromChat_FinishReason_StopReason(string finish, string stop)
    {
        var chat = Encoding.UTF8.GetBytes($$$"""{"id":"x","choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"{{{finish}}}"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}""");

        Assert.Equal(stop, JsonDocument.Parse(Codec.FromChat(chat, Info("m"))).RootElement.GetProperty("stop_reason").GetString());
    }

    [Fact]
    public void Transcoder_TextThenToolCall_AnthropicEventSequenceWithUsage()
    {
        using var t = Codec.CreateTranscoder(Info("alias") with { PromptTokensEstimate = 57 });
        var output = new ArrayBufferWriter<byte>();
        t.Chunk("""{"id":"chatcmpl-1","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"Hel"}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"lo"}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"f","arguments":""}}]}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-1","choices":[],"usage":{"prompt_tokens":50,"completion_tokens":12,"total_tokens":62}}"""u8, output);
        t.Done(output);

        var events = Parse(Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
             "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        var start = events[0].Data.GetProperty("message");
        Assert.Equal("msg_1", start.GetProperty("id").GetString());
        Assert.Equal(57, start.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal("text_delta", events[2].Data.GetProperty("delta").GetProperty("type").GetString());
        Assert.Equal("Hel", events[2].Data.GetProperty("delta").GetProperty("text").GetString());
        var toolStart = events[5].Data;
        Assert.Equal(1, toolStart.GetProperty("index").GetInt32());
        Assert.Equal("tool_use", toolStart.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal("call_9", toolStart.GetProperty("content_block").GetProperty("id").GetString());
        Assert.Equal("{\"a\":", events[6].Data.GetProperty("delta").GetProperty("partial_json").GetString());
        var delta = events[9].Data;
        Assert.Equal("tool_use", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(12, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal(50, delta.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public void FromChat_ThinkingBlocks_ThinkingBeforeTextWithSignatures()
    {
        var chat = """
            {"id":"chatcmpl-t","choices":[{"index":0,"message":{"role":"assistant","content":"42.","reasoning_content":"Six times seven.",
             "thinking_blocks":[{"type":"thinking","thinking":"Six times seven.","signature":"sig-A"},{"type":"redacted_thinking","data":"enc-B"}]},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":5}}
            """u8;
        var content = JsonDocument.Parse(Codec.FromChat(chat, Info("m"))).RootElement.GetProperty("content");

        Assert.Equal(3, content.GetArrayLength());
        Assert.Equal("thinking", content[0].GetProperty("type").GetString());
        Assert.Equal("Six times seven.", content[0].GetProperty("thinking").GetString());
        Assert.Equal("sig-A", content[0].GetProperty("signature").GetString());
        Assert.Equal("redacted_thinking", content[1].GetProperty("type").GetString());
        Assert.Equal("enc-B", content[1].GetProperty("data").GetString());
        Assert.Equal("text", content[2].GetProperty("type").GetString());
        Assert.Equal("42.", content[2].GetProperty("text").GetString());
    }

    [Fact]
    public void FromChat_ReasoningContentOnly_OneUnsignedThinkingBlockFirst()
    {
        var chat = """{"id":"x","choices":[{"message":{"role":"assistant","content":"Yes.","reasoning_content":"Let me think."},"finish_reason":"stop"}]}"""u8;
        var content = JsonDocument.Parse(Codec.FromChat(chat, Info("m"))).RootElement.GetProperty("content");

        Assert.Equal(2, content.GetArrayLength());
        Assert.Equal("thinking", content[0].GetProperty("type").GetString());
        Assert.Equal("Let me think.", content[0].GetProperty("thinking").GetString());
        Assert.Equal("", content[0].GetProperty("signature").GetString());
        Assert.Equal("Yes.", content[1].GetProperty("text").GetString());
    }

    [Fact]
    public void Transcoder_ReasoningThenSignatureThenText_ThinkingBlockBeforeTextBlock()
    {
        using var t = Codec.CreateTranscoder(Info("alias") with { PromptTokensEstimate = 9 });
        var output = new ArrayBufferWriter<byte>();
        t.Chunk("""{"id":"chatcmpl-2","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"Hmm, "}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-2","choices":[{"index":0,"delta":{"reasoning_content":"six sevens."}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-2","choices":[{"index":0,"delta":{"thinking_blocks":[{"type":"thinking","thinking":"Hmm, six sevens.","signature":"sig-1"}]}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-2","choices":[{"index":0,"delta":{"thinking_blocks":[{"type":"redacted_thinking","data":"enc"}]}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-2","choices":[{"index":0,"delta":{"content":"42"}}]}"""u8, output);
        t.Chunk("""{"id":"chatcmpl-2","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""u8, output);
        t.Done(output);

        var events = Parse(Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
             "content_block_start", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        Assert.Equal("thinking", events[1].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal(0, events[1].Data.GetProperty("index").GetInt32());
        Assert.Equal("thinking_delta", events[2].Data.GetProperty("delta").GetProperty("type").GetString());
        Assert.Equal("Hmm, ", events[2].Data.GetProperty("delta").GetProperty("thinking").GetString());
        Assert.Equal("six sevens.", events[3].Data.GetProperty("delta").GetProperty("thinking").GetString());
        Assert.Equal("signature_delta", events[4].Data.GetProperty("delta").GetProperty("type").GetString());
        Assert.Equal("sig-1", events[4].Data.GetProperty("delta").GetProperty("signature").GetString());
        Assert.Equal(0, events[5].Data.GetProperty("index").GetInt32());
        Assert.Equal("redacted_thinking", events[6].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal("enc", events[6].Data.GetProperty("content_block").GetProperty("data").GetString());
        Assert.Equal(1, events[6].Data.GetProperty("index").GetInt32());
        Assert.Equal("text", events[8].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal(2, events[8].Data.GetProperty("index").GetInt32());
        Assert.Equal("42", events[9].Data.GetProperty("delta").GetProperty("text").GetString());
    }

    [Fact]
    public void Transcoder_ReasoningWithoutSignature_ThinkingClosedWhenTextStarts()
    {
        using var t = Codec.CreateTranscoder(Info("alias"));
        var output = new ArrayBufferWriter<byte>();
        t.Chunk("""{"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"plan"}}]}"""u8, output);
        t.Chunk("""{"id":"c","choices":[{"index":0,"delta":{"content":"done"}}]}"""u8, output);
        t.Done(output);

        var events = Parse(Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(
            ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            events.Select(e => e.Name));
        Assert.Equal("thinking", events[1].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.DoesNotContain(events, e => e.Data.TryGetProperty("delta", out var d) && d.TryGetProperty("type", out var ty) && ty.GetString() == "signature_delta");
        Assert.Equal("text", events[4].Data.GetProperty("content_block").GetProperty("type").GetString());
    }

    [Fact]
    public void TranscoderError_MidStream_AnthropicErrorEventWithSummary()
    {
        using var t = Codec.CreateTranscoder(Info("alias"));
        var output = new ArrayBufferWriter<byte>();
        t.Chunk("""{"id":"c","choices":[{"index":0,"delta":{"content":"par"}}]}"""u8, output);
        t.Error(new FailureSummary { Status = 502, Message = "upstream broke", Type = FailureType.UpstreamError, Route = "alias", CorrelationId = "corr-9" }, output);

        var events = Parse(Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "error"], events.Select(e => e.Name));
        var error = events[^1].Data.GetProperty("error");
        Assert.Equal("api_error", error.GetProperty("type").GetString());
        Assert.Equal("upstream broke", error.GetProperty("message").GetString());
        Assert.Equal("corr-9", error.GetProperty("correlation_id").GetString());
    }

    [Fact]
    public void ErrorBody_RateLimited_AnthropicShapeWithSummaryFields()
    {
        var summary = new FailureSummary
        {
            Status = 429, Message = "slow down", Type = FailureType.RateLimited, Code = "rate_limited", Route = "claude",
            ProviderFamily = "anthropic", RetryAfterMs = 1500, CorrelationId = "corr-1",
        };
        var body = JsonDocument.Parse(Codec.ErrorBody(summary)).RootElement;

        Assert.Equal("error", body.GetProperty("type").GetString());
        var error = body.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Equal("slow down", error.GetProperty("message").GetString());
        Assert.Equal("claude", error.GetProperty("route").GetString());
        Assert.Equal("anthropic", error.GetProperty("provider_family").GetString());
        Assert.Equal(1500, error.GetProperty("retry_after_ms").GetInt64());
        Assert.Equal("corr-1", error.GetProperty("correlation_id").GetString());
        Assert.Equal("rate_limited", error.GetProperty("code").GetString());
        Assert.Equal("corr-1", body.GetProperty("request_id").GetString());

        var sse = Encoding.UTF8.GetString(Codec.ErrorEvent(summary));
        Assert.StartsWith("event: error\ndata: {\"type\":\"error\"", sse, StringComparison.Ordinal);
        Assert.EndsWith("}\n\n", sse, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(504, "timeout_error")]
    public void ErrorType_Status_AnthropicType(int status, string type) => Assert.Equal(type, MessagesCodec.ErrorType(status));

    private static RequestInfo Info(string model) => new() { Operation = OperationKind.Messages, Model = model };

    private static List<(string Name, JsonElement Data)> Parse(string sse)
    {
        var result = new List<(string, JsonElement)>();
        foreach (var block in sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            result.Add((lines[0]["event: ".Length..], JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement));
        }

        return result;
    }
}
