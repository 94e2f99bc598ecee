using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Tests.Providers.Anthropic;

public sealed class AnthropicRequestTranslatorTests
{
    private static DeploymentConfig Deployment(Dictionary<string, JsonNode?>? defaults = null, string? apiBase = null) => new()
    {
        Id = "d1",
        ModelName = "claude",
        Provider = "anthropic",
        Family = "anthropic",
        Model = "claude-sonnet-4-5",
        ApiBase = apiBase,
        Timeout = TimeSpan.FromSeconds(30),
        StreamTimeout = TimeSpan.FromSeconds(30),
        Defaults = defaults ?? [],
    };

    private static string Translate(string body, DeploymentConfig? d = null, bool stream = false)
    {
        var deployment = d ?? Deployment();
        var result = AnthropicRequestTranslator.Translate(Encoding.UTF8.GetBytes(body), deployment, stream, deployment.DropParams);
        Assert.Null(result.Failure);
        return Encoding.UTF8.GetString(result.Value!.Body);
    }

    private static UpstreamFailure Reject(string body)
    {
        var result = AnthropicRequestTranslator.Translate(Encoding.UTF8.GetBytes(body), Deployment(), stream: false, dropParams: false);
        Assert.Null(result.Value);
        return result.Failure!;
    }

    [Fact]
    public void Translate_RepresentativeRequest_ProducesExactMessagesJson()
    {
        const string body = """
            {
              "model": "claude-alias",
              "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": [
                  {"type": "text", "text": "What is in this image?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [
                  {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "18C and sunny"},
                {"role": "user", "content": "Thanks. And London?"}
              ],
              "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
              "tool_choice": "required",
              "parallel_tool_calls": false,
              "max_completion_tokens": 256,
              "temperature": 0.2,
              "top_p": 0.9,
              "stop": "END",
              "user": "user-42",
              "stream": true,
              "stream_options": {"include_usage": true},
              "presence_penalty": 0
            }
            """;

        var json = Translate(body, stream: true);

        const string expected = """
            {"model":"claude-sonnet-4-5","max_tokens":256,"system":"You are terse.","messages":[{"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C and sunny"},{"type":"text","text":"Thanks. And London?"}]}],"tools":[{"name":"get_weather","description":"Current weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"tool_choice":{"type":"any","disable_parallel_tool_use":true},"temperature":0.2,"top_p":0.9,"stop_sequences":["END"],"metadata":{"user_id":"user-42"},"stream":true}
            """;
        Assert.Equal(expected, json);
    }

    [Fact]
    public void Translate_SeveralSystemAndDeveloperMessages_BecomeSystemTextBlocks()
    {
        var json = Translate("""
            {"model":"m","messages":[{"role":"system","content":"One."},{"role":"developer","content":[{"type":"text","text":"Two."}]},{"role":"user","content":"Hi"},{"role":"user","content":"again"}]}
            """);

        Assert.Equal(
            """{"model":"claude-sonnet-4-5","max_tokens":4096,"system":[{"type":"text","text":"One."},{"type":"text","text":"Two."}],"messages":[{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"again"}]}]}""",
            json);
    }

    [Fact]
    public void Translate_ConsecutiveToolResults_MergeIntoOneUserTurnAheadOfText()
    {
        var json = Translate("""
            {"model":"m","messages":[
              {"role":"user","content":"weather in Paris and Rome?"},
              {"role":"assistant","content":"Checking both.","tool_calls":[
                {"id":"a","type":"function","function":{"name":"w","arguments":"{\"c\":\"Paris\"}"}},
                {"id":"b","type":"function","function":{"name":"w","arguments":""}}]},
              {"role":"tool","tool_call_id":"a","content":"18C"},
              {"role":"tool","tool_call_id":"b","content":[{"type":"text","text":"21C"}]}]}
            """);

        var messages = JsonNode.Parse(json)!["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        Assert.Equal(
            """[{"type":"text","text":"Checking both."},{"type":"tool_use","id":"a","name":"w","input":{"c":"Paris"}},{"type":"tool_use","id":"b","name":"w","input":{}}]""",
            messages[1]!["content"]!.ToJsonString());
        Assert.Equal(
            """{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"18C"},{"type":"tool_result","tool_use_id":"b","content":"21C"}]}""",
            messages[2]!.ToJsonString());
    }

    [Theory]
    [InlineData("\"auto\"", """{"type":"auto"}""")]
    [InlineData("\"required\"", """{"type":"any"}""")]
    [InlineData("\"none\"", """{"type":"none"}""")]
    [InlineData("""{"type":"function","function":{"name":"w"}}""", """{"type":"tool","name":"w"}""")]
    public void Translate_ToolChoice_MapsToAnthropicForm(string openAI, string anthropic)
    {
        var json = Translate("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"w"}}],"tool_choice":""" + openAI + "}");

        var root = JsonNode.Parse(json)!;
        Assert.Equal(anthropic, root["tool_choice"]!.ToJsonString());
        Assert.Equal("""[{"name":"w","input_schema":{"type":"object","properties":{}}}]""", root["tools"]!.ToJsonString());
    }

    [Fact]
    public void Translate_HttpImageUrl_BecomesUrlSource()
    {
        var json = Translate("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"high"}}]}]}
            """);

        Assert.Contains("""{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}""", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, 4096)]
    [InlineData(1000, null, 1000)]
    [InlineData(1000, 50, 50)]
    public void Translate_MaxTokens_CallerThenDeploymentDefaultThen4096(int? deploymentDefault, int? caller, int expected)
    {
        var defaults = deploymentDefault is { } d ? new Dictionary<string, JsonNode?> { ["max_tokens"] = d } : null;
        var callerPart = caller is { } c ? $",\"max_tokens\":{c}" : "";

        var json = Translate("""{"model":"m","messages":[{"role":"user","content":"x"}]""" + callerPart + "}", Deployment(defaults));

        Assert.Equal(expected, (int)JsonNode.Parse(json)!["max_tokens"]!);
    }

    [Fact]
    public void Translate_DeploymentDefaults_FillWhatTheCallerLeftOut()
    {
        var defaults = new Dictionary<string, JsonNode?> { ["temperature"] = 0.3, ["stop"] = new JsonArray("A", "B"), ["user"] = "svc" };

        var json = Translate("""{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":0.9}""", Deployment(defaults));

        var root = JsonNode.Parse(json)!;
        Assert.Equal(0.9, (double)root["temperature"]!);
        Assert.Equal("""["A","B"]""", root["stop_sequences"]!.ToJsonString());
        Assert.Equal("svc", (string?)root["metadata"]!["user_id"]);
    }

    [Fact]
    public void Translate_ToolArgumentsNotJson_IsCallerErrorNamingTheField()
    {
        var failure = Reject("""
            {"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"w","arguments":"{not json"}}]}]}
            """);

        Assert.Equal(FailureKind.CallerError, failure.Kind);
        Assert.Equal(400, failure.UpstreamStatus);
        Assert.Equal("messages[1].tool_calls", failure.UpstreamParam);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}""", "messages[0].content[0].type")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:text/plain,hi"}}]}]}""", "messages[0].content[0].image_url")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"x"}]}""", "messages[0].tool_call_id")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"w"}}],"tool_choice":"sometimes"}""", "tool_choice")]
    public void Translate_InexpressibleRequest_IsCallerErrorWithParam(string body, string param)
    {
        var failure = Reject(body);

        Assert.Equal(FailureKind.CallerError, failure.Kind);
        Assert.Equal(param, failure.UpstreamParam);
    }

    [Theory]
    [InlineData(null, "https://api.anthropic.com/v1/messages")]
    [InlineData("http://127.0.0.1:9000", "http://127.0.0.1:9000/v1/messages")]
    [InlineData("http://127.0.0.1:9000/v1", "http://127.0.0.1:9000/v1/messages")]
    [InlineData("https://proxy.internal/anthropic/", "https://proxy.internal/anthropic/v1/messages")]
    public void MessagesUri_AppendsV1OnlyWhenMissing(string? apiBase, string expected)
        => Assert.Equal(expected, AnthropicApi.MessagesUri(Deployment(apiBase: apiBase)).ToString());
}
