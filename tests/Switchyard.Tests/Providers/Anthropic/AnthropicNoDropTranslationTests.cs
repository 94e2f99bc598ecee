using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Providers.Anthropic;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Anthropic;

/// <summary>
/// No silent drops on the way to Anthropic: what has an equivalent is translated (response_format, reasoning_effort,
/// thinking blocks), what has none is refused naming the parameter, or dropped and reported under drop_params.
/// </summary>
public sealed class AnthropicNoDropTranslationTests
{
    private const string User = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

    private static DeploymentConfig Deployment(bool dropParams = false) => new()
    {
        Id = "d1",
        ModelName = "claude",
        Provider = "anthropic",
        Family = "anthropic",
        Model = "claude-sonnet-4-5",
        Timeout = TimeSpan.FromSeconds(30),
        StreamTimeout = TimeSpan.FromSeconds(30),
        DropParams = dropParams,
    };

    private static AnthropicTranslation Translate(string body, bool dropParams = false)
    {
        var result = AnthropicRequestTranslator.Translate(Encoding.UTF8.GetBytes(body), Deployment(dropParams), stream: false, dropParams);
        Assert.Null(result.Failure);
        return result.Value!;
    }

    private static UpstreamFailure Reject(string body)
    {
        var result = AnthropicRequestTranslator.Translate(Encoding.UTF8.GetBytes(body), Deployment(), stream: false, dropParams: false);
        Assert.Null(result.Value);
        return result.Failure!;
    }

    private static string Json(AnthropicTranslation t) => Encoding.UTF8.GetString(t.Body);

    [Theory]
    [InlineData("\"logprobs\":true", "logprobs")]
    [InlineData("\"top_logprobs\":3", "top_logprobs")]
    [InlineData("\"logit_bias\":{\"50256\":-100}", "logit_bias")]
    [InlineData("\"presence_penalty\":0.5", "presence_penalty")]
    [InlineData("\"frequency_penalty\":-1", "frequency_penalty")]
    [InlineData("\"seed\":7", "seed")]
    [InlineData("\"n\":2", "n")]
    [InlineData("\"modalities\":[\"text\",\"audio\"]", "modalities")]
    [InlineData("\"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}", "audio")]
    [InlineData("\"prediction\":{\"type\":\"content\",\"content\":\"x\"}", "prediction")]
    [InlineData("\"web_search_options\":{}", "web_search_options")]
    public void NoEquivalent_IsRefusedAsUnsupportedValueNamingIt(string parameter, string name)
    {
        var failure = Reject($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},{{{{{{{parameter}}}}}}}}""");

        Assert.Equal(FailureKind.Unsupported, failure.Kind);
        Assert.Equal(400, failure.UpstreamStatus);
        Assert.Equal("unsupported_value", failure.UpstreamCode);
        Assert.Equal(name, failure.UpstreamParam);
        Assert.Contains(name, failure.Detail, StringComparison.Ordinal);

        var summary = FailureMapping.ToSummary(failure, Deployment(), 1);
        Assert.Equal(400, summary.Status);
        Assert.Equal("unsupported_value", summary.Code);
        Assert.Equal(name, summary.Param);
        Assert.Contains("anthropic/claude-sonnet-4-5", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesThatAskNothing_AreNotRefused()
    {
        var t = Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"logprobs":false,"top_logprobs":0,"presence_penalty":0,"frequency_penalty":0,"n":1,"logit_bias":{},"modalities":["text"],"seed":null}""");

        Assert.Empty(t.Dropped);
        Assert.Equal("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"x"}]}""", Json(t));
    }

    [Fact]
    public void DropParams_DropsAndReportsEachInOrder()
    {
        var t = Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"seed":7,"logprobs":true,"top_logprobs":2,"temperature":0.5}""", dropParams: true);

        Assert.Equal(["logprobs", "top_logprobs", "seed"], t.Dropped);
        Assert.Equal("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"x"}],"temperature":0.5}""", Json(t));
    }

    [Fact]
    public void DropParams_ComesFromTheRequestFlag_NotOnlyTheDeployment()
    {
        var body = Encoding.UTF8.GetBytes($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"seed":7}""");

        var viaAlias = AnthropicRequestTranslator.Translate(body, Deployment(dropParams: false), stream: false, dropParams: true);
        var refused = AnthropicRequestTranslator.Translate(body, Deployment(dropParams: true), stream: false, dropParams: false);

        Assert.Equal(["seed"], viaAlias.Value!.Dropped);
        Assert.Equal("unsupported_value", refused.Failure!.UpstreamCode);
        Assert.Equal("seed", refused.Failure.UpstreamParam);
    }

    [Fact]
    public void JsonSchema_BecomesAForcedToolNamedAfterTheSchema()
    {
        var t = Translate($$$$$$$"""
            {"model":"m",{{{{{{{User}}}}}}},"response_format":{"type":"json_schema","json_schema":{"name":"weather","strict":true,
              "schema":{"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},"required":["city","temp"],"additionalProperties":false}}}}
            """);

        Assert.Equal("weather", t.JsonTool);
        Assert.Equal(
            """{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"weather","description":"Give the final answer by calling this tool; its input is the answer and must match the schema.","input_schema":{"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},"required":["city","temp"],"additionalProperties":false}}],"tool_choice":{"type":"tool","name":"weather"}}""",
            Json(t));
    }

    [Fact]
    public void JsonObject_BecomesAForcedToolTakingAnyObject()
    {
        var t = Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"response_format":{"type":"json_object"}}""");

        Assert.Equal(AnthropicStructuredOutput.DefaultToolName, t.JsonTool);
        var root = JsonNode.Parse(Json(t))!;
        Assert.Equal("""[{"name":"json_response","description":"Give the final answer by calling this tool; its input is the answer and must match the schema.","input_schema":{"type":"object","additionalProperties":true}}]""", root["tools"]!.ToJsonString());
        Assert.Equal("""{"type":"tool","name":"json_response"}""", root["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public void JsonSchema_WithCallerTools_OffersBothAndRequiresATool()
    {
        var t = Translate($$$$$$$"""
            {"model":"m",{{{{{{{User}}}}}}},"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{}}}}],
             "parallel_tool_calls":false,"response_format":{"type":"json_schema","json_schema":{"name":"lookup","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}
            """);

        var root = JsonNode.Parse(Json(t))!;
        Assert.Equal("json_response", t.JsonTool); // the schema's name is taken by a caller tool
        Assert.Equal(["lookup", "json_response"], root["tools"]!.AsArray().Select(x => (string?)x!["name"]));
        Assert.Equal("""{"type":"any","disable_parallel_tool_use":true}""", root["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public void JsonSchema_WithoutObjectRoot_IsUnsupported()
    {
        var failure = Reject($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"response_format":{"type":"json_schema","json_schema":{"name":"list","schema":{"type":"array","items":{"type":"string"}}}}}""");

        Assert.Equal(FailureKind.Unsupported, failure.Kind);
        Assert.Equal("response_format.json_schema.schema", failure.UpstreamParam);
    }

    [Theory]
    [InlineData("minimal", 1024, 4096)]
    [InlineData("low", 2048, 4096)]
    [InlineData("medium", 8192, 12288)]
    [InlineData("high", 16384, 20480)]
    public void ReasoningEffort_BecomesAThinkingBudget_MaxTokensRaisedAboveIt(string effort, int budget, int maxTokens)
    {
        var t = Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"{{{{{{{effort}}}}}}}","temperature":1,"top_p":0.97}""");

        Assert.Equal(
            $$$$$$$"""{"model":"claude-sonnet-4-5","max_tokens":{{{{{{{maxTokens}}}}}}},"messages":[{"role":"user","content":"x"}],"thinking":{"type":"enabled","budget_tokens":{{{{{{{budget}}}}}}}},"top_p":0.97}""",
            Json(t));
    }

    [Fact]
    public void ReasoningEffort_CallerCapAboveBudget_IsKept_NoneMeansNoThinking()
    {
        Assert.Contains("\"max_tokens\":3000,", Json(Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"low","max_completion_tokens":3000}""")), StringComparison.Ordinal);
        Assert.DoesNotContain("thinking", Json(Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"none"}""")), StringComparison.Ordinal);
        Assert.Equal("reasoning_effort", Reject($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"extreme"}""").UpstreamParam);
    }

    [Fact]
    public void ReasoningEffort_WithOtherTemperature_IsRefused_OrDroppedUnderDropParams()
    {
        var failure = Reject($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"low","temperature":0.2}""");
        Assert.Equal(FailureKind.Unsupported, failure.Kind);
        Assert.Equal("temperature", failure.UpstreamParam);

        var t = Translate($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"low","temperature":0.2}""", dropParams: true);
        Assert.Equal(["temperature"], t.Dropped);
        Assert.DoesNotContain("temperature", Json(t), StringComparison.Ordinal);
    }

    [Fact]
    public void ReasoningEffort_WithResponseFormat_IsRefused()
    {
        var failure = Reject($$$$$$$"""{"model":"m",{{{{{{{User}}}}}}},"reasoning_effort":"low","response_format":{"type":"json_object"}}""");

        Assert.Equal(FailureKind.Unsupported, failure.Kind);
        Assert.Equal("reasoning_effort", failure.UpstreamParam);
    }

    [Fact]
    public void ThinkingBlocks_OnAnAssistantMessage_GoBackFirstInTheTurn()
    {
        var t = Translate("""
            {"model":"m","reasoning_effort":"low","messages":[{"role":"user","content":"weather?"},
              {"role":"assistant","content":null,"reasoning_content":"I should look","thinking_blocks":[{"type":"thinking","thinking":"I should look","signature":"sig=="},{"type":"redacted_thinking","data":"enc"}],
               "tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"w","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"toolu_1","content":"sunny"}]}
            """);

        var assistant = JsonNode.Parse(Json(t))!["messages"]![1]!;
        Assert.Equal(
            """{"role":"assistant","content":[{"type":"thinking","thinking":"I should look","signature":"sig=="},{"type":"redacted_thinking","data":"enc"},{"type":"tool_use","id":"toolu_1","name":"w","input":{}}]}""",
            assistant.ToJsonString());
        Assert.Equal("messages[0].thinking_blocks[0]", Reject("""{"model":"m","messages":[{"role":"assistant","content":"a","thinking_blocks":[{"type":"thinking","thinking":"x"}]}]}""").UpstreamParam);
    }

    [Fact]
    public void Response_JsonToolAnswer_BecomesTextContentWithStop()
    {
        const string anthropic = """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[
              {"type":"text","text":"Here you go:"},{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris","temp":18.5}}],
             "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":7}}
            """;

        var (body, _, problem) = AnthropicResponseTranslator.Translate(Encoding.UTF8.GetBytes(anthropic), "c", 0, "weather");

        Assert.Null(problem);
        var message = JsonNode.Parse(body!)!["choices"]![0]!;
        Assert.Equal("""{"city":"Paris","temp":18.5}""", (string?)message["message"]!["content"]);
        Assert.Null(message["message"]!["tool_calls"]);
        Assert.Equal("stop", (string?)message["finish_reason"]);
    }

    [Fact]
    public void Stream_JsonToolAndThinking_BecomeContentAndReasoningDeltas()
    {
        using var translator = new AnthropicStreamTranslator("c", 0, includeUsage: false, jsonTool: "weather");
        var output = new ArrayBufferWriter<byte>();
        string[] events =
        [
            AnthropicWire.MessageStart(),
            AnthropicWire.Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "thinking", thinking = "" } }),
            AnthropicWire.Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "thinking_delta", thinking = "Paris is " } }),
            AnthropicWire.Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "thinking_delta", thinking = "mild." } }),
            AnthropicWire.Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "signature_delta", signature = "EqQBsig" } }),
            AnthropicWire.BlockStop(0),
            AnthropicWire.ToolBlockStart(1, "toolu_9", "weather"),
            AnthropicWire.JsonDelta(1, ""),
            AnthropicWire.JsonDelta(1, "{\"city\": \"Pa"),
            AnthropicWire.JsonDelta(1, "ris\"}"),
            AnthropicWire.BlockStop(1),
            AnthropicWire.MessageDelta("tool_use", 20),
            AnthropicWire.MessageStop(),
        ];
        foreach (var e in events)
        {
            var lines = e.Split('\n');
            translator.Handle(new SseItem<byte[]>(Encoding.UTF8.GetBytes(lines[1]["data: ".Length..]), lines[0]["event: ".Length..]), output, out var failure);
            Assert.Null(failure);
        }

        var chunks = Encoding.UTF8.GetString(output.WrittenSpan).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(c => c != "data: [DONE]").Select(c => JsonNode.Parse(c["data: ".Length..])!["choices"]![0]!).ToList();
        var content = string.Concat(chunks.Select(c => (string?)c["delta"]!["content"]));
        var reasoning = string.Concat(chunks.Select(c => (string?)c["delta"]!["reasoning_content"]));
        var block = Assert.Single(chunks, c => c["delta"]!["thinking_blocks"] is not null)["delta"]!["thinking_blocks"]!;

        Assert.Equal("{\"city\": \"Paris\"}", content);
        Assert.Equal("Paris is mild.", reasoning);
        Assert.Equal("""[{"type":"thinking","thinking":"Paris is mild.","signature":"EqQBsig"}]""", block.ToJsonString());
        Assert.DoesNotContain(chunks, c => c["delta"]!["tool_calls"] is not null);
        Assert.Equal("stop", (string?)chunks[^1]["finish_reason"]);
        Assert.True(translator.Finished);
    }
}
