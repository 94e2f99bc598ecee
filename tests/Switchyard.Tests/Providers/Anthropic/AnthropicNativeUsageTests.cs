using System.Text;
using Switchyard.Core.Requests;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Tests.Providers.Anthropic;

public sealed class AnthropicNativeUsageTests
{
    [Fact]
    public void Inspect_CacheCreationSplit_5mAnd1hWritesApart()
    {
        const string message = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",
             "usage":{"input_tokens":10,"cache_creation_input_tokens":300,"cache_read_input_tokens":2000,"output_tokens":7,
                      "cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}}}
            """;
        var payload = Encoding.UTF8.GetBytes(message);

        var (body, usage, problem) = AnthropicResponseTranslator.Inspect(payload);

        Assert.Null(problem);
        Assert.Same(payload, body); // returned untouched
        Assert.Equal(new Usage(2310, 7) { CacheReadTokens = 2000, CacheWrite5mTokens = 100, CacheWrite1hTokens = 200 }, usage);
    }

    [Fact]
    public void Inspect_NoSplit_AllCreationIs5m()
    {
        var (_, usage, _) = AnthropicResponseTranslator.Inspect(Encoding.UTF8.GetBytes(
            """{"type":"message","content":[],"usage":{"input_tokens":1,"cache_creation_input_tokens":40,"output_tokens":2}}"""));

        Assert.Equal(new Usage(41, 2) { CacheWrite5mTokens = 40 }, usage);
    }

    [Fact]
    public void Inspect_ErrorObject_Problem()
        => Assert.Equal("answered 200 with an error object", AnthropicResponseTranslator.Inspect(Encoding.UTF8.GetBytes("""{"type":"error","error":{"type":"api_error","message":"x"}}""")).Problem);
}
