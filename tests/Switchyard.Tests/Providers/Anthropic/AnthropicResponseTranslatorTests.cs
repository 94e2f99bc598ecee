using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using System.Text;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Tests.Providers.Anthropic;

public sealed class AnthropicResponseTranslatorTests
{
    [Fact]
    public void Translate_TextAndToolUse_BecomeOpenAICompletionWithUsage()
    {
        const string anthropic = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[
              {"type":"thinking","thinking":"hmm","signature":"s"},
              {"type":"text","text":"Let me "},{"type":"text","text":"check."},
              {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":20,"output_tokens":7}}
            """;

        var (body, usage, problem) = AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(anthropic), "fallback", 1_700_000_000);

        Assert.Null(problem);
        Assert.Equal(new Usage(35, 7) { CacheReadTokens = 20, CacheWrite5mTokens = 5 }, usage);
        Assert.Equal(
            """{"id":"msg_1","object":"chat.completion","created":1700000000,"model":"claude-x","choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.","reasoning_content":"hmm","thinking_blocks":[{"type":"thinking","thinking":"hmm","signature":"s"}],"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":35,"completion_tokens":7,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":20}}}""",
            Encoding.UTF8.GetString(body!));
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    public void Translate_StopReason_MapsToFinishReason(string stopReason, string finishReason)
    {
        var anthropic = $$$"""{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":"{{{stopReason}}}","usage":{"input_tokens":1,"output_tokens":1}}""";

        var (body, _, _) = AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(anthropic), "c", 0);

        var choice = JsonNode.Parse(body!)!["choices"]![0]!;
        Assert.Equal(finishReason, (string?)choice["finish_reason"]);
        Assert.Null(choice["message"]!["content"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"type":"error","error":{"type":"api_error","message":"x"}}""")]
    [InlineData("""{"id":"m","type":"message","role":"assistant"}""")]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion","choices":[]}""")]
    [InlineData("""{"id":"m","type":"message","content":[{"type":"tool_use","input":{}}]}""")]
    public void Translate_NotAMessagesResponse_IsAProblem(string payload)
    {
        var (body, _, problem) = AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(payload), "c", 0);

        Assert.Null(body);
        Assert.NotNull(problem);
    }

    [Fact]
    public void StreamTranslator_WritesOpenAIChunksForEachEvent()
    {
        using var translator = new AnthropicStreamTranslator("fallback", 1_700_000_000, includeUsage: true);
        var output = new ArrayBufferWriter<byte>();
        var events = new (string Type, string Data)[]
        {
            ("message_start", """{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":9,"cache_read_input_tokens":1,"output_tokens":1}}}"""),
            ("ping", """{"type": "ping"}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_9","name":"w","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"c\":"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":12}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        };

        foreach (var (type, data) in events)
        {
            translator.Handle(new SseItem<byte[]>(Encoding.UTF8.GetBytes(data), type), output, out var failure);
            Assert.Null(failure);
        }

        Assert.True(translator.Finished);
        Assert.Equal(new Usage(10, 12) { CacheReadTokens = 1 }, translator.Tokens.ToUsage());
        const string head = "\"id\":\"msg_s\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"claude-x\",";
        string[] chunks =
        [
            """{HEAD"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""",
            """{HEAD"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_9","type":"function","function":{"name":"w","arguments":""}}]},"logprobs":null,"finish_reason":null}]}""",
            """{HEAD"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"c\":"}}]},"logprobs":null,"finish_reason":null}]}""",
            """{HEAD"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}""",
            """{HEAD"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":12,"total_tokens":22,"prompt_tokens_details":{"cached_tokens":1}}}""",
        ];
        var expected = string.Concat(chunks.Select(c => "data: " + c.Replace("HEAD", head, StringComparison.Ordinal) + "\n\n")) + "data: [DONE]\n\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("overloaded_error", FailureKind.ServerError, 529)]
    [InlineData("api_error", FailureKind.ServerError, 500)]
    [InlineData("rate_limit_error", FailureKind.RateLimited, 429)]
    [InlineData("invalid_request_error", FailureKind.CallerError, 400)]
    [InlineData("authentication_error", FailureKind.UpstreamAuth, 401)]
    public void StreamTranslator_ErrorEvent_ReturnsClassifiedStreamFailure(string errorType, FailureKind kind, int status)
    {
        using var translator = new AnthropicStreamTranslator("c", 0, includeUsage: false);
        var data = $$$"""{"type": "error", "error": {"type": "{{{errorType}}}", "message": "secret upstream words"}}""";

        var output = new ArrayBufferWriter<byte>();

        var wrote = translator.Handle(new SseItem<byte[]>(Encoding.UTF8.GetBytes(data), "error"), output, out var failure);

        Assert.False(wrote);
        Assert.Equal(0, output.WrittenCount);
        Assert.NotNull(failure);
        Assert.Equal(kind, failure.Kind);
        Assert.Equal(status, failure.UpstreamStatus);
        Assert.Equal(errorType, failure.UpstreamCode);
        Assert.DoesNotContain("secret", failure.Detail, StringComparison.Ordinal);
    }
}
