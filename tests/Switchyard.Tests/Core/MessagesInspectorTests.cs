using System.Text;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;

namespace Switchyard.Tests.Core;

public sealed class MessagesInspectorTests
{
    private static RequestInfo Inspect(string json) => RequestInspector.Inspect(Encoding.UTF8.GetBytes(json), OperationKind.Messages);

    [Fact]
    public void Inspect_MessagesBody_ReadsWhatRoutingNeeds()
    {
        const string json = """
            {"model":"claude","max_tokens":300,"stream":true,"system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],
             "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"text","text":"yo"}]},{"role":"user","content":"again"}],
             "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto"},"top_k":5}
            """;
        var info = Inspect(json);

        Assert.Equal(OperationKind.Messages, info.Operation);
        Assert.Equal("claude", info.Model);
        Assert.Equal(300, info.MaxTokens);
        Assert.True(info.Stream);
        Assert.True(info.IncludeUsage);
        Assert.Equal(4, info.MessageCount); // three turns and the system prompt
        Assert.Equal(1, info.ToolCount);
        Assert.Equal(8, info.BilledRanges.Count); // system, messages, tools, tool_choice
        Assert.Equal("\"claude\"", json.Substring(info.ModelValueStart, info.ModelValueLength));
    }

    [Fact]
    public void Estimate_MessagesBody_CountsFramingAndText()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hello there, how are you today?"}]}""");
        var small = PromptEstimator.Estimate(body, OperationKind.Messages, EstimateProfile.OpenAI, CancellationToken.None);
        var bigger = PromptEstimator.Estimate(
            Encoding.UTF8.GetBytes("""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hello there, how are you today? and tomorrow, and the day after that?"}]}"""),
            OperationKind.Messages, EstimateProfile.OpenAI, CancellationToken.None);

        Assert.True(small.PromptTokens > 5, $"estimate {small.PromptTokens}");
        Assert.True(bigger.PromptTokens > small.PromptTokens);
    }

    [Theory]
    [InlineData("""{"max_tokens":1,"messages":[{"role":"user","content":"x"}]}""", "model", "missing_field")]
    [InlineData("""{"model":5,"max_tokens":1,"messages":[{"role":"user","content":"x"}]}""", "model", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}]}""", "max_tokens", "missing_field")]
    [InlineData("""{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}""", "max_tokens", "invalid_value")]
    [InlineData("""{"model":"m","max_tokens":"9","messages":[{"role":"user","content":"x"}]}""", "max_tokens", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1}""", "messages", "missing_field")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[]}""", "messages", "invalid_value")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":{}}""", "messages", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"tool","content":"x"}]}""", "messages[0].role", "invalid_value")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"content":"x"}]}""", "messages[0].role", "missing_field")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user"}]}""", "messages[0].content", "missing_field")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":7}]}""", "messages[0].content", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"text":"x"}]}]}""", "messages[0].content[0].type", "missing_field")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":["x"]}]}""", "messages[0].content[0]", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"system":3}""", "system", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tools":[{"input_schema":{}}]}""", "tools[0].name", "missing_field")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"tool_choice":"auto"}""", "tool_choice", "invalid_type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"temperature":"hot"}""", "temperature", "invalid_type")]
    public void Inspect_InvalidField_TypedErrorNamesIt(string json, string param, string code)
    {
        var e = Assert.Throws<RequestValidationException>(() => Inspect(json));

        Assert.Equal(param, e.Param);
        Assert.Equal(code, e.Code);
    }

    [Fact]
    public void Inspect_SystemTurnBetweenUserTurns_AcceptedAndCounted()
    {
        // Claude Code 2.1.3xx sends its environment block as a system turn after the first user turn
        var info = Inspect("""
            {"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},{"role":"system","content":[{"type":"text","text":"# Environment"}]},{"role":"user","content":"y"}]}
            """);

        Assert.Equal(3, info.MessageCount);
    }

    [Fact]
    public void InspectCountTokens_NoMaxTokens_Accepted()
    {
        var info = RequestInspector.InspectCountTokens(Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"x"}]}"""));

        Assert.Equal("m", info.Model);
        Assert.Null(info.MaxTokens);
    }

    [Fact]
    public void Inspect_NotJson_InvalidJson()
        => Assert.Equal("invalid_json", Assert.Throws<RequestValidationException>(() => Inspect("{\"model\":")).Code);
}
