using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Core;

public sealed class RequestInspectorTests
{
    private static RequestInfo Inspect(string json, OperationKind op = OperationKind.Chat) => RequestInspector.Inspect(Encoding.UTF8.GetBytes(json), op);

    [Fact]
    public void Inspect_ChatBody_ReadsWhatRoutingNeeds()
    {
        var info = Inspect("""
            {"stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":256,"model":"router.default",
             "messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]}],
             "tools":[{"type":"function","function":{"name":"a"}},{"type":"function","function":{"name":"b","parameters":{}}}]}
            """);

        Assert.Equal("router.default", info.Model);
        Assert.True(info.Stream);
        Assert.True(info.IncludeUsage);
        Assert.True(info.HasStreamOptions);
        Assert.Equal(256, info.MaxTokens);
        Assert.Equal(2, info.MessageCount);
        Assert.Equal(2, info.ToolCount);
    }

    [Fact]
    public void Inspect_NonFunctionToolWithoutName_Accepted()
    {
        var info = Inspect("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]}""");

        Assert.Equal(1, info.ToolCount);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":1}}""", "stream_options.include_usage")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":3000000000}""", "max_tokens")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"},{"role":"robot"}]}""", "messages[1].role")]
    public void Inspect_InvalidField_ExceptionNamesIt(string json, string param)
        => Assert.Equal(param, Assert.Throws<RequestValidationException>(() => Inspect(json)).Param);

    [Fact]
    public void Inspect_ModelLongerThan256_Refused()
        => Assert.Equal("model", Assert.Throws<RequestValidationException>(() => Inspect($$"""{"model":"{{new string('m', 257)}}","messages":[{"role":"user","content":"x"}]}""")).Param);

    [Fact]
    public void Rewrite_EscapedModelValue_SplicedWhole()
    {
        const string json = """{"model":"router\u002edefault","messages":[{"role":"user","content":"x"}]}""";
        var body = Encoding.UTF8.GetBytes(json);
        var info = RequestInspector.Inspect(body, OperationKind.Chat);

        var rewritten = Encoding.UTF8.GetString(RequestRewriter.Rewrite(body, info, "gpt-4o", new Dictionary<string, JsonNode?>(), false));

        Assert.Equal("router.default", info.Model);
        Assert.Equal("""{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}""", rewritten);
    }

    [Fact]
    public void Rewrite_Defaults_AddedOnlyWhenCallerDidNotSetThem()
    {
        const string json = """{"model":"a","temperature":0.9,"messages":[{"role":"user","content":"x","max_tokens":1}],"max_completion_tokens":50}""";
        var body = Encoding.UTF8.GetBytes(json);
        var info = RequestInspector.Inspect(body, OperationKind.Chat);
        var defaults = new Dictionary<string, JsonNode?> { ["max_tokens"] = 512, ["temperature"] = 0.1, ["top_p"] = 0.5 };

        var rewritten = JsonNode.Parse(RequestRewriter.Rewrite(body, info, "b", defaults, false))!.AsObject();

        Assert.Equal("b", (string?)rewritten["model"]);
        Assert.Equal(0.9, (double)rewritten["temperature"]!);
        Assert.Equal(0.5, (double)rewritten["top_p"]!);
        Assert.False(rewritten.ContainsKey("max_tokens")); // the caller's max_completion_tokens wins
        Assert.Equal(50, (int)rewritten["max_completion_tokens"]!);
    }

    [Fact]
    public void Rewrite_StreamWithoutOptions_AsksForUsageWhenRequested()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"a","stream":true,"messages":[{"role":"user","content":"x"}]}""");
        var info = RequestInspector.Inspect(body, OperationKind.Chat);

        using var doc = JsonDocument.Parse(RequestRewriter.Rewrite(body, info, "b", new Dictionary<string, JsonNode?>(), true));

        Assert.True(doc.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }
}
