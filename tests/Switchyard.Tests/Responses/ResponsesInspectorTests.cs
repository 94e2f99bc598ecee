using System.Text;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Responses;

public sealed class ResponsesInspectorTests
{
    private static RequestInfo Inspect(string json) => RequestInspector.Inspect(Encoding.UTF8.GetBytes(json), OperationKind.Responses);

    [Fact]
    public void Inspect_ResponsesBody_ReadsWhatRoutingNeeds()
    {
        var json = """
            {"model":"router.default","instructions":"be brief","stream":true,"max_output_tokens":300,"store":false,
             "previous_response_id":"resp_abc","reasoning":{"effort":"low"},"text":{"format":{"type":"json_schema","name":"s","schema":{"type":"object"}}},
             "input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
                      {"type":"function_call_output","call_id":"c1","output":"42"}],
             "tools":[{"type":"function","name":"f","parameters":{}},{"type":"web_search"}]}
            """;
        var info = Inspect(json);

        Assert.Equal(OperationKind.Responses, info.Operation);
        Assert.Equal("router.default", info.Model);
        Assert.Equal("\"router.default\"", json.Substring(info.ModelValueStart, info.ModelValueLength));
        Assert.True(info.Stream);
        Assert.Equal(300, info.MaxTokens);
        Assert.Equal(3, info.MessageCount);
        Assert.Equal(2, info.ToolCount);
        Assert.False(info.Store);
        Assert.Equal("resp_abc", info.PreviousResponseId);
        Assert.Equal(8, info.BilledRanges.Count); // instructions, text, input, tools
        Assert.Contains("be brief", json[info.BilledRanges[0]..info.BilledRanges[1]], StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_StringInput_OneItem_StoredByDefault()
    {
        var info = Inspect("""{"model":"m","input":"hello"}""");

        Assert.Equal(1, info.MessageCount);
        Assert.True(info.Store);
        Assert.Null(info.PreviousResponseId);
        Assert.False(info.Stream);
        Assert.Null(info.MaxTokens);
    }

    [Theory]
    [InlineData("""{"input":"x"}""", "model", "missing_field")]
    [InlineData("""{"model":"m"}""", "input", "missing_field")]
    [InlineData("""{"model":"m","input":42}""", "input", "invalid_type")]
    [InlineData("""{"model":"m","input":[]}""", "input", "invalid_value")]
    [InlineData("""{"model":"m","input":["x"]}""", "input[0]", "invalid_type")]
    [InlineData("""{"model":"m","input":[{"role":"robot","content":"x"}]}""", "input[0].role", "invalid_value")]
    [InlineData("""{"model":"m","input":[{"role":"user"}]}""", "input[0].content", "missing_field")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":5}]}""", "input[0].content", "invalid_type")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""", "input[0].call_id", "missing_field")]
    [InlineData("""{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}""", "input[0].output", "missing_field")]
    [InlineData("""{"model":"m","input":"x","instructions":1}""", "instructions", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","store":1}""", "store", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","max_output_tokens":0}""", "max_output_tokens", "invalid_value")]
    [InlineData("""{"model":"m","input":"x","max_output_tokens":"9"}""", "max_output_tokens", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","tools":{}}""", "tools", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","tools":[{"name":"f"}]}""", "tools[0].type", "missing_field")]
    [InlineData("""{"model":"m","input":"x","tools":[{"type":"function"}]}""", "tools[0].name", "missing_field")]
    [InlineData("""{"model":"m","input":"x","text":"json"}""", "text", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","text":{"format":{"type":"yaml"}}}""", "text.format.type", "invalid_value")]
    [InlineData("""{"model":"m","input":"x","text":{"format":{"type":"json_schema","schema":{}}}}""", "text.format.name", "missing_field")]
    [InlineData("""{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n"}}}""", "text.format.schema", "missing_field")]
    [InlineData("""{"model":"m","input":"x","reasoning":{"effort":"max"}}""", "reasoning.effort", "invalid_value")]
    [InlineData("""{"model":"m","input":"x","reasoning":"high"}""", "reasoning", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","previous_response_id":7}""", "previous_response_id", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","temperature":"hot"}""", "temperature", "invalid_type")]
    [InlineData("""{"model":"m","input":"x","tool_choice":3}""", "tool_choice", "invalid_type")]
    public void Inspect_BadField_TypedErrorNamingIt(string json, string param, string code)
    {
        var e = Assert.Throws<RequestValidationException>(() => Inspect(json));

        Assert.Equal(param, e.Param);
        Assert.Equal(code, e.Code);
    }

    [Fact]
    public void Inspect_LongInstructions_SameAsWithoutElision()
    {
        var json = "{\"model\":\"m\",\"instructions\":\"" + new string('a', 100_000) + "\",\"input\":\"x\"}";
        var bytes = Encoding.UTF8.GetBytes(json);

        var fast = RequestInspector.Inspect(bytes, OperationKind.Responses);
        var slow = RequestInspector.InspectOnce(bytes, OperationKind.Responses);

        Assert.Equal(slow.ModelValueStart, fast.ModelValueStart);
        Assert.Equal(slow.BilledRanges, fast.BilledRanges);
    }
}
