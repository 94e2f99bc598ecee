using System.Buffers;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenAI.Responses;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.OpenAI.Responses;

#pragma warning disable OPENAI001 // the Responses client is marked experimental

namespace Switchyard.Tests.Responses;

public sealed class ResponsesCodecTests
{
    private readonly ResponsesCodec _codec = new(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));

    private static (ReadOnlyMemory<byte> Body, RequestInfo Info) Request(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return (bytes, RequestInspector.Inspect(bytes, OperationKind.Responses));
    }

    private JsonObject ToChat(string json)
    {
        var (body, info) = Request(json);
        var result = _codec.ToChat(body, info);
        Assert.Null(result.Failure);
        Assert.Equal(OperationKind.Chat, result.Value!.Info.Operation);
        return JsonNode.Parse(result.Value.Body)!.AsObject();
    }

    [Fact]
    public void ToChat_FullRequest_TranslatesEveryParameter()
    {
        var chat = ToChat("""
            {"model":"router.default","instructions":"be brief","stream":true,"max_output_tokens":300,"store":true,
             "temperature":0.2,"top_p":0.9,"user":"u1","metadata":{"k":"v"},"parallel_tool_calls":false,
             "reasoning":{"effort":"low","summary":"auto"},
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}},
             "tool_choice":{"type":"function","name":"lookup"},
             "tools":[{"type":"function","name":"lookup","description":"d","parameters":{"type":"object"},"strict":true}],
             "input":[{"role":"developer","content":"dev"},
                      {"role":"user","content":[{"type":"input_text","text":"hi"},{"type":"input_image","image_url":"https://x/y.png","detail":"low"}]},
                      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"calling"}]},
                      {"type":"function_call","call_id":"c1","name":"lookup","arguments":"{\"q\":1}"},
                      {"type":"function_call","call_id":"c2","name":"lookup","arguments":"{}"},
                      {"type":"function_call_output","call_id":"c1","output":"42"},
                      {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"43"}]}]}
            """);

        Assert.Equal("router.default", (string?)chat["model"]);
        Assert.True((bool)chat["stream"]!);
        Assert.True((bool)chat["stream_options"]!["include_usage"]!);
        Assert.Equal(300, (int)chat["max_completion_tokens"]!);
        Assert.Equal("low", (string?)chat["reasoning_effort"]);
        Assert.Equal(0.2, (double)chat["temperature"]!);
        Assert.Equal("u1", (string?)chat["user"]);
        Assert.Equal("v", (string?)chat["metadata"]!["k"]);
        Assert.False((bool)chat["parallel_tool_calls"]!);
        Assert.Null(chat["store"]);
        Assert.Equal("json_schema", (string?)chat["response_format"]!["type"]);
        Assert.Equal("answer", (string?)chat["response_format"]!["json_schema"]!["name"]);
        Assert.True((bool)chat["response_format"]!["json_schema"]!["strict"]!);
        Assert.Equal("lookup", (string?)chat["tool_choice"]!["function"]!["name"]);
        var tool = chat["tools"]![0]!;
        Assert.Equal("function", (string?)tool["type"]);
        Assert.Equal("lookup", (string?)tool["function"]!["name"]);
        Assert.Equal("d", (string?)tool["function"]!["description"]);
        Assert.True((bool)tool["function"]!["strict"]!);

        var messages = chat["messages"]!.AsArray();
        Assert.Equal(["system", "developer", "user", "assistant", "tool", "tool"], messages.Select(m => (string?)m!["role"]));
        Assert.Equal("be brief", (string?)messages[0]!["content"]);
        Assert.Equal("hi", (string?)messages[2]!["content"]![0]!["text"]);
        Assert.Equal("image_url", (string?)messages[2]!["content"]![1]!["type"]);
        Assert.Equal("https://x/y.png", (string?)messages[2]!["content"]![1]!["image_url"]!["url"]);
        Assert.Equal("calling", (string?)messages[3]!["content"]);
        var calls = messages[3]!["tool_calls"]!.AsArray();
        Assert.Equal(["c1", "c2"], calls.Select(c => (string?)c!["id"]));
        Assert.Equal("{\"q\":1}", (string?)calls[0]!["function"]!["arguments"]);
        Assert.Equal("c1", (string?)messages[4]!["tool_call_id"]);
        Assert.Equal("42", (string?)messages[4]!["content"]);
        Assert.Equal("43", (string?)messages[5]!["content"]);
    }

    [Fact]
    public void ToChat_StringInput_OneUserMessage_NoStreamOptions()
    {
        var chat = ToChat("""{"model":"m","input":"hello","text":{"format":{"type":"json_object"}}}""");

        var message = Assert.Single(chat["messages"]!.AsArray());
        Assert.Equal("{\"role\":\"user\",\"content\":\"hello\"}", message!.ToJsonString());
        Assert.Equal("user", (string?)message!["role"]);
        Assert.Equal("hello", (string?)message["content"]);
        Assert.Null(chat["stream"]);
        Assert.Equal("json_object", (string?)chat["response_format"]!["type"]);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"web_search"}]}""", "tools[0].type")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"function","name":"f"},{"type":"code_interpreter","container":{"type":"auto"}}]}""", "tools[1].type")]
    [InlineData("""{"model":"m","input":"x","background":true}""", "background")]
    [InlineData("""{"model":"m","input":"x","conversation":"conv_1"}""", "conversation")]
    [InlineData("""{"model":"m","input":"x","truncation":"auto"}""", "truncation")]
    [InlineData("""{"model":"m","input":"x","include":["file_search_call.results"]}""", "include")]
    [InlineData("""{"model":"m","input":"x","tool_choice":{"type":"web_search"}}""", "tool_choice")]
    [InlineData("""{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0].type")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]}""", "input[0].content[0].image_url")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]}""", "input[0].content[0].type")]
    [InlineData("""{"model":"m","input":"x","reasoning":{"effort":"low","encrypted":true}}""", "reasoning.encrypted")]
    public void ToChat_NoChatEquivalent_RefusedNamingTheParameter(string json, string param)
    {
        var (body, info) = Request(json);

        var result = _codec.ToChat(body, info);

        Assert.Null(result.Value);
        Assert.Equal(FailureKind.CallerError, result.Failure!.Kind);
        Assert.Equal(400, result.Failure.UpstreamStatus);
        Assert.Equal("unsupported_value", result.Failure.UpstreamCode);
        Assert.Equal(param, result.Failure.UpstreamParam);
    }

    [Fact]
    public void ToChat_NamespaceTool_ItsFunctionsOfferedByTheirOwnNames_ClientMetadataNamedAsDropped()
    {
        var (body, info) = Request("""
            {"model":"m","input":"x","client_metadata":{"session_id":"s1"},"tools":[
              {"type":"function","name":"exec_command","parameters":{"type":"object"}},
              {"type":"namespace","name":"multi_agent_v1","description":"sub-agents","tools":[
                {"type":"function","name":"spawn_agent","description":"spawn","parameters":{"type":"object","properties":{"task":{"type":"string"}}}},
                {"type":"function","name":"close_agent","parameters":{"type":"object"}}]}]}
            """);

        var result = _codec.ToChat(body, info);

        Assert.Null(result.Failure);
        var chat = JsonNode.Parse(result.Value!.Body)!.AsObject();
        Assert.Equal(new[] { "exec_command", "spawn_agent", "close_agent" }, chat["tools"]!.AsArray().Select(t => (string)t!["function"]!["name"]!).ToArray());
        Assert.Equal("spawn", (string?)chat["tools"]![1]!["function"]!["description"]);
        Assert.Null(chat["client_metadata"]);
        Assert.Equal(new[] { "client_metadata" }, result.Value.Dropped);
    }

    [Fact]
    public void ToChat_BuiltInToolUnderDropParams_LeftOutAndNamed_RefusedWithout()
    {
        var (body, info) = Request("""{"model":"m","input":"x","tools":[{"type":"function","name":"f"},{"type":"web_search","external_web_access":true}]}""");

        var dropped = _codec.ToChat(body, info, dropParams: true);
        var refused = _codec.ToChat(body, info, dropParams: false);

        Assert.Null(dropped.Failure);
        Assert.Equal(new[] { "f" }, JsonNode.Parse(dropped.Value!.Body)!["tools"]!.AsArray().Select(t => (string)t!["function"]!["name"]!).ToArray());
        Assert.Equal(new[] { "tools[1](web_search)" }, dropped.Value.Dropped);
        Assert.Equal("tools[1].type", refused.Failure!.UpstreamParam);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"namespace","name":"n","tools":[{"type":"web_search"}]}]}""", "tools[0].tools[0].type", "unsupported_value")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"function","name":"f"},{"type":"namespace","name":"n","tools":[{"type":"function","name":"f"}]}]}""", "tools[1].tools[0].name", "invalid_value")]
    public void ToChat_NamespaceThatCannotBeFlattened_RefusedNamingIt(string json, string param, string code)
    {
        var (body, info) = Request(json);

        var result = _codec.ToChat(body, info, dropParams: true);

        Assert.Equal(param, result.Failure!.UpstreamParam);
        Assert.Equal(code, result.Failure.UpstreamCode);
    }

    [Fact]
    public void FromChat_TextToolCallsReasoningUsage_ReadByTheOpenAISdk()
    {
        var (_, info) = Request("""{"model":"alias","input":"x"}""");
        var chat = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-x","choices":[{"index":0,"finish_reason":"tool_calls",
             "message":{"role":"assistant","content":"Let me look.","reasoning_content":"thinking hard",
               "tool_calls":[{"id":"call_9","type":"function","function":{"name":"lookup","arguments":"{\"q\":2}"}}]}}],
             "usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":2}}}
            """u8;

        var body = _codec.FromChat(chat, info);

        var json = JsonNode.Parse(body)!;
        Assert.StartsWith("resp_", (string?)json["id"], StringComparison.Ordinal);
        Assert.Equal("response", (string?)json["object"]);
        Assert.Equal(1_700_000_000, (long)json["created_at"]!);
        Assert.Equal("completed", (string?)json["status"]);
        Assert.Equal("gpt-x", (string?)json["model"]);
        Assert.Equal(["reasoning", "message", "function_call"], json["output"]!.AsArray().Select(i => (string?)i!["type"]));
        Assert.Equal(11, (int)json["usage"]!["input_tokens"]!);
        Assert.Equal(3, (int)json["usage"]!["input_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(2, (int)json["usage"]!["output_tokens_details"]!["reasoning_tokens"]!);
        Assert.Equal(18, (int)json["usage"]!["total_tokens"]!);

        var sdk = ModelReaderWriter.Read<ResponseResult>(BinaryData.FromBytes(body))!;
        Assert.Equal("Let me look.", sdk.GetOutputText());
        var call = Assert.IsType<FunctionCallResponseItem>(sdk.OutputItems[2]);
        Assert.Equal("call_9", call.CallId);
        Assert.Equal("lookup", call.FunctionName);
        Assert.Equal("{\"q\":2}", call.FunctionArguments.ToString());
        Assert.IsType<ReasoningResponseItem>(sdk.OutputItems[0]);
        Assert.Equal(7, sdk.Usage.OutputTokenCount);
        Assert.Equal(ResponseStatus.Completed, sdk.Status);
    }

    [Fact]
    public void FromChat_LengthFinish_IncompleteWithMaxOutputTokens()
    {
        var (_, info) = Request("""{"model":"alias","input":"x","max_output_tokens":5}""");
        var chat = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"cut"}}],"usage":{"prompt_tokens":1,"completion_tokens":5}}"""u8;

        var json = JsonNode.Parse(_codec.FromChat(chat, info))!;

        Assert.Equal("incomplete", (string?)json["status"]);
        Assert.Equal("max_output_tokens", (string?)json["incomplete_details"]!["reason"]);
        Assert.Equal(5, (int)json["max_output_tokens"]!);
        Assert.Equal("incomplete", (string?)json["output"]![0]!["status"]);
    }

    private const string EchoedRequest = """
        {"model":"alias","input":"x","instructions":"be brief","temperature":0.2,"top_p":0.9,"parallel_tool_calls":false,
         "tool_choice":"required","metadata":{"k":"v"},"user":"u1","reasoning":{"effort":"low"},
         "tools":[{"type":"function","name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"integer"}}},"strict":true}],
         "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}}
        """;

    private const string PlainChat = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"{\"a\":\"b\"}"}}],"usage":{"prompt_tokens":1,"completion_tokens":5}}""";

    private static void AssertEchoes(JsonNode response)
    {
        Assert.Equal("be brief", (string?)response["instructions"]);
        Assert.Equal(0.2, (double)response["temperature"]!);
        Assert.Equal(0.9, (double)response["top_p"]!);
        Assert.False((bool)response["parallel_tool_calls"]!);
        Assert.Equal("required", (string?)response["tool_choice"]);
        Assert.Equal("v", (string?)response["metadata"]!["k"]);
        Assert.Equal("u1", (string?)response["user"]);
        Assert.Equal("low", (string?)response["reasoning"]!["effort"]);
        Assert.Equal("lookup", (string?)response["tools"]![0]!["name"]);
        Assert.Equal("json_schema", (string?)response["text"]!["format"]!["type"]);
        Assert.Equal("answer", (string?)response["text"]!["format"]!["name"]);
    }

    [Fact]
    public void FromChat_EchoesTheRequestsToolsFormatInstructionsAndSampling()
    {
        var (body, info) = Request(EchoedRequest);

        var answer = _codec.FromChat(Encoding.UTF8.GetBytes(PlainChat), info, body);

        AssertEchoes(JsonNode.Parse(answer)!);
        var sdk = ModelReaderWriter.Read<ResponseResult>(BinaryData.FromBytes(answer))!;
        Assert.Single(sdk.Tools);
    }

    [Fact]
    public void FromChat_NothingToEcho_WritesOpenAIsDefaults()
    {
        var (body, info) = Request("""{"model":"alias","input":"x"}""");

        var json = JsonNode.Parse(_codec.FromChat(Encoding.UTF8.GetBytes(PlainChat), info, body))!;

        Assert.Null(json["instructions"]);
        Assert.True(json.AsObject().ContainsKey("instructions"));
        Assert.Equal("text", (string?)json["text"]!["format"]!["type"]);
        Assert.Equal("auto", (string?)json["tool_choice"]);
        Assert.Empty(json["tools"]!.AsArray());
        Assert.True((bool)json["parallel_tool_calls"]!);
        Assert.Equal("disabled", (string?)json["truncation"]);
        Assert.Empty(json["metadata"]!.AsObject());
    }

    [Fact]
    public void Transcoder_CreatedAndCompletedResponses_EchoTheRequest()
    {
        var (body, info) = Request(EchoedRequest);
        using var transcoder = _codec.CreateTranscoder(info, body);
        var output = new ArrayBufferWriter<byte>();

        transcoder.Chunk("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"{}"}}]}"""u8, output);
        transcoder.Chunk("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""u8, output);
        transcoder.Done(output);

        var events = Events(output.WrittenSpan.ToArray());
        AssertEchoes(events.Single(e => (string?)e["type"] == "response.created")["response"]!);
        AssertEchoes(events.Single(e => (string?)e["type"] == "response.completed")["response"]!);
    }

    private static List<JsonNode> Events(byte[] sse)
    {
        var text = Encoding.UTF8.GetString(sse);
        var events = new List<JsonNode>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            var data = JsonNode.Parse(lines[1]["data: ".Length..])!;
            Assert.Equal(lines[0]["event: ".Length..], (string?)data["type"]);
            events.Add(data);
        }

        return events;
    }

    [Fact]
    public void Transcoder_TextThenToolCall_TypedEventsInOrder_ReadByTheOpenAISdk()
    {
        var (_, info) = Request("""{"model":"alias","input":"x","stream":true}""");
        using var transcoder = _codec.CreateTranscoder(info);
        var output = new ArrayBufferWriter<byte>();
        string[] chunks =
        [
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hel"}}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"content":"lo"}}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]}}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\""}}]}}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
            """{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""",
        ];
        foreach (var chunk in chunks)
        {
            transcoder.Chunk(Encoding.UTF8.GetBytes(chunk), output);
        }

        transcoder.Done(output);
        var events = Events(output.WrittenSpan.ToArray());

        Assert.Equal(
            [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ],
            events.Select(e => (string?)e["type"]));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => (int)e["sequence_number"]!));
        Assert.Equal("Hello", (string?)events[6]["text"]);
        Assert.Equal("{\"q\":1}", (string?)events[12]["arguments"]);
        var completed = events[^1]["response"]!;
        Assert.Equal(9, (int)completed["usage"]!["input_tokens"]!);
        Assert.Equal(13, (int)completed["usage"]!["total_tokens"]!);
        Assert.Equal((string?)events[0]["response"]!["id"], (string?)completed["id"]);
        Assert.Equal(1, (int)events[10]["output_index"]!);

        var updates = events.Select(e => ModelReaderWriter.Read<StreamingResponseUpdate>(BinaryData.FromString(e.ToJsonString()))!).ToList();
        Assert.Equal("Hel", Assert.IsType<StreamingResponseOutputTextDeltaUpdate>(updates[4]).Delta);
        var done = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
        Assert.Equal("Hello", done.Response.GetOutputText());
        Assert.Equal(4, done.Response.Usage.OutputTokenCount);
        Assert.Equal("call_1", Assert.IsType<FunctionCallResponseItem>(done.Response.OutputItems[1]).CallId);
        Assert.Equal(done.Response.Id, Encoding.UTF8.GetString(((IResponsesCapture)transcoder).CompletedResponse!.Value.Span).Split('"')[3]);
    }

    [Fact]
    public void Transcoder_ReasoningThenText_LengthFinish_Incomplete()
    {
        var (_, info) = Request("""{"model":"alias","input":"x","stream":true}""");
        using var transcoder = _codec.CreateTranscoder(info);
        var output = new ArrayBufferWriter<byte>();
        transcoder.Chunk("""{"choices":[{"index":0,"delta":{"reasoning_content":"hmm"}}]}"""u8, output);
        transcoder.Chunk("""{"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"length"}]}"""u8, output);
        transcoder.Done(output);

        var events = Events(output.WrittenSpan.ToArray());

        Assert.Contains(events, e => (string?)e["type"] == "response.reasoning_summary_text.delta" && (string?)e["delta"] == "hmm");
        Assert.Equal("response.incomplete", (string?)events[^1]["type"]);
        Assert.Equal("max_output_tokens", (string?)events[^1]["response"]!["incomplete_details"]!["reason"]);
        var sdk = ModelReaderWriter.Read<StreamingResponseUpdate>(BinaryData.FromString(events[^1].ToJsonString()));
        Assert.IsType<StreamingResponseIncompleteUpdate>(sdk);
    }

    [Fact]
    public void ErrorEvent_TypedErrorWithSummaryFields_ReadByTheOpenAISdk()
    {
        var summary = new FailureSummary
        {
            Status = 502, Message = "upstream broke", Type = "upstream_error", Code = "stream_broken", Route = "router.default",
            ProviderFamily = "openai", RetryAfterMs = 1000, CorrelationId = "corr-1",
        };

        var text = Encoding.UTF8.GetString(_codec.ErrorEvent(summary));

        Assert.StartsWith("event: error\ndata: ", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        var data = JsonNode.Parse(text["event: error\ndata: ".Length..])!;
        Assert.Equal("error", (string?)data["type"]);
        Assert.Equal("stream_broken", (string?)data["code"]);
        Assert.Equal("router.default", (string?)data["route"]);
        Assert.Equal("corr-1", (string?)data["correlation_id"]);
        Assert.Equal(1000, (int)data["retry_after_ms"]!);
        var sdk = Assert.IsType<StreamingResponseErrorUpdate>(ModelReaderWriter.Read<StreamingResponseUpdate>(BinaryData.FromString(data.ToJsonString())));
        Assert.Equal("upstream broke", sdk.Message);

        var body = JsonNode.Parse(_codec.ErrorBody(summary))!;
        Assert.Equal("upstream broke", (string?)body["error"]!["message"]);
        Assert.Equal("openai", (string?)body["error"]!["provider_family"]);
    }

    [Fact]
    public void TranscoderError_AfterEvents_SequenceContinues_ReadByTheOpenAISdk()
    {
        var (_, info) = Request("""{"model":"alias","input":"x","stream":true}""");
        using var transcoder = _codec.CreateTranscoder(info);
        var output = new ArrayBufferWriter<byte>();
        transcoder.Chunk("""{"id":"c","object":"chat.completion.chunk","model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"""u8, output);
        var before = Events(output.WrittenSpan.ToArray()).Count;

        transcoder.Error(new FailureSummary { Status = 502, Message = "upstream broke", Type = "upstream_error", Code = "stream_broken" }, output);
        var events = Events(output.WrittenSpan.ToArray());

        Assert.True(before >= 3, "created, in_progress and the text events come first");
        Assert.Equal(before + 1, events.Count);
        Assert.Equal("error", (string?)events[^1]["type"]);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => (int)e["sequence_number"]!));
        var sdk = Assert.IsType<StreamingResponseErrorUpdate>(ModelReaderWriter.Read<StreamingResponseUpdate>(BinaryData.FromString(events[^1].ToJsonString())));
        Assert.Equal(before, sdk.SequenceNumber);
    }
}
