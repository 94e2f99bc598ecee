using System.Text.Json;
using OpenAI.Images;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>
/// Legacy completions, image generation and moderations through the one inference pipeline: mock answers in the wire
/// shapes (read with the official SDK where it has a client), pass-through to OpenAI-family upstreams, model_info.mode
/// deciding which deployment takes which operation, and the failure contract (auth, schema gate, unknown alias, limits).
/// </summary>
public sealed class OpenAISurfaceTests
{
    private const string MockYaml = """
        model_list:
          - model_name: instruct
            litellm_params: { model: mock/gpt-3.5-turbo-instruct }
            model_info: { mode: completion }
          - model_name: painter
            litellm_params: { model: mock/gpt-image-1 }
            model_info: { mode: image_generation }
          - model_name: guard
            litellm_params: { model: mock/omni-moderation-latest }
            model_info: { mode: moderation }
          - model_name: chatty
            litellm_params: { model: mock/chat-model }
            model_info: { mode: chat }
        """;

    [Fact]
    public async Task Images_MockThroughSdk_TinyPngAsBytesOrDataUrl()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var images = gw.Client().GetImageClient("painter");

        var bytes = (await images.GenerateImageAsync("a lighthouse", new ImageGenerationOptions { ResponseFormat = GeneratedImageFormat.Bytes })).Value;
        var url = (await images.GenerateImageAsync("a lighthouse", new ImageGenerationOptions { ResponseFormat = GeneratedImageFormat.Uri })).Value;

        var png = bytes.ImageBytes.ToArray();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("data", url.ImageUri.Scheme);
        Assert.StartsWith("data:image/png;base64,", url.ImageUri.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_N_AnswersThatManyImages()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var r = await gw.PostAsync("/v1/images/generations", new { model = "painter", prompt = "two boats", n = 3, response_format = "b64_json" });

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(3, r.Json.GetProperty("data").GetArrayLength());
        Assert.Equal("painter", r.Header("x-switchyard-route"));
    }

    [Fact]
    public async Task Moderations_MockThroughSdk_FlagsOnlyTheMarkedInput()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var moderation = gw.Client().GetModerationClient("guard");

        var results = (await moderation.ClassifyTextAsync(["a calm sentence", "this is mock-flagged text"])).Value;

        Assert.Equal(2, results.Count);
        Assert.False(results[0].Flagged);
        Assert.True(results[1].Flagged);
        Assert.True(results[1].Violence.Flagged);
        Assert.False(results[1].Hate.Flagged);
    }

    [Fact]
    public async Task Completions_Mock_TextCompletionWholeAndStreamedAlike_WithAndWithoutV1()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var whole = await gw.PostAsync("/v1/completions", new { model = "instruct", prompt = "Say hi", max_tokens = 20 });
        var bare = await gw.PostAsync("/completions", new { model = "instruct", prompt = "Say hi", max_tokens = 20 });
        using var streamed = await gw.PostAsync("/v1/completions", """{"model":"instruct","prompt":"Say hi","stream":true,"stream_options":{"include_usage":true}}""", streamResponse: true);
        var text = await streamed.Content.ReadAsStringAsync();

        Assert.True(whole.Status == 200, whole.ToString());
        Assert.Equal("text_completion", whole.Json.GetProperty("object").GetString());
        var answer = whole.Json.GetProperty("choices")[0].GetProperty("text").GetString();
        Assert.Contains("Say hi", answer, StringComparison.Ordinal);
        Assert.Equal(answer, bare.Json.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("text/event-stream", streamed.Content.Headers.ContentType?.MediaType);
        var data = GatewayRequests.SseData(text);
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data.Take(data.Count - 1).Select(d => JsonDocument.Parse(d).RootElement).ToArray();
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        var joined = string.Concat(chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0).Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal(answer, joined);
        Assert.Equal(whole.Json.GetProperty("usage").GetProperty("completion_tokens").GetInt64(), chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt64());
    }

    [Fact]
    public async Task Completions_PassThroughToOpenAICompatible_PathBodyAndStreamRelayed()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, r) =>
        {
            if (r.Body.Contains("\"stream\":true", StringComparison.Ordinal))
            {
                await OpenAIWire.StartStreamAsync(c);
                await OpenAIWire.WriteRawAsync(c, """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"text":"Hel","index":0,"logprobs":null,"finish_reason":null}]}""" + "\n\n");
                await OpenAIWire.WriteRawAsync(c, """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"text":"lo","index":0,"logprobs":null,"finish_reason":"stop"}]}""" + "\n\n");
                await OpenAIWire.WriteRawAsync(c, """data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""" + "\n\n");
                await OpenAIWire.WriteRawAsync(c, "data: [DONE]\n\n");
                return;
            }

            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""{"id":"cmpl-2","object":"text_completion","created":1,"model":"m","choices":[{"text":"Hello","index":0,"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""");
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: instruct
                litellm_params: { model: hosted_vllm/llama-instruct, api_base: "{{upstream.BaseUrl}}/v1" }
            """);

        var whole = await gw.PostAsync("/v1/completions", new { model = "instruct", prompt = "Say", echo = false });
        using var streamed = await gw.PostAsync("/v1/completions", """{"model":"instruct","prompt":"Say","stream":true}""", streamResponse: true);
        var data = GatewayRequests.SseData(await streamed.Content.ReadAsStringAsync());

        Assert.True(whole.Status == 200, whole.ToString());
        Assert.Equal("Hello", whole.Json.GetProperty("choices")[0].GetProperty("text").GetString());
        var sent = upstream.Requests.ToArray();
        Assert.All(sent, s => Assert.Equal("/v1/completions", s.PathAndQuery));
        Assert.Contains("\"model\":\"llama-instruct\"", sent[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"echo\":false", sent[0].Body, StringComparison.Ordinal);
        // the gateway asked for usage the caller did not: the usage-only chunk is not passed on
        Assert.Contains("include_usage", sent[1].Body, StringComparison.Ordinal);
        Assert.Equal(3, data.Count);
        Assert.Equal("[DONE]", data[^1]);
        Assert.DoesNotContain(data, d => d.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImagesAndModerations_PassThroughToOpenAI_RealPathsAndUpstreamErrorsTyped()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) =>
        {
            c.Response.ContentType = "application/json";
            if (r.PathAndQuery.EndsWith("/moderations", StringComparison.Ordinal))
            {
                return c.Response.WriteAsync("""{"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":false,"categories":{"violence":false},"category_scores":{"violence":0.01}}]}""");
            }

            return r.Body.Contains("forbidden", StringComparison.Ordinal)
                ? OpenAIWire.WriteErrorAsync(c, 400, "Your request was rejected as a result of our safety system.", "invalid_request_error", "content_policy_violation", "prompt")
                : c.Response.WriteAsync("""{"created":1,"data":[{"url":"https://example.invalid/img.png","revised_prompt":"a boat"}]}""");
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: painter
                litellm_params: { model: openai/dall-e-3, api_base: "{{upstream.BaseUrl}}/v1", api_key: sk-up }
              - model_name: guard
                litellm_params: { model: openai/omni-moderation-latest, api_base: "{{upstream.BaseUrl}}/v1", api_key: sk-up }
            """);

        var image = (await gw.Client().GetImageClient("painter").GenerateImageAsync("a boat")).Value;
        var moderation = (await gw.Client().GetModerationClient("guard").ClassifyTextAsync("hello")).Value;
        using var refused = await gw.PostAsync("/v1/images/generations", """{"model":"painter","prompt":"forbidden thing"}""");

        Assert.Equal("https://example.invalid/img.png", image.ImageUri.ToString());
        Assert.False(moderation.Flagged);
        Assert.Equal(["/v1/images/generations", "/v1/moderations", "/v1/images/generations"], upstream.Requests.Select(r => r.PathAndQuery).ToArray());
        Assert.Contains("\"model\":\"dall-e-3\"", upstream.Requests.First().Body, StringComparison.Ordinal);
        var summary = await FailureAssert.ReadAsync(refused, 400, "invalid_request_error", "content_policy_violation");
        Assert.Equal("painter", summary.Route);
    }

    [Fact]
    public async Task Mode_OperationNoDeploymentTakes_Typed400NamingTheMode_OtherDeploymentOfTheGroupAnswers()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chatty
                litellm_params: { model: mock/chat-model }
                model_info: { mode: chat }
              - model_name: mixed
                litellm_params: { model: mock/chat-model }
                model_info: { mode: chat }
              - model_name: mixed
                litellm_params: { model: mock/painter }
                model_info: { mode: image_generation }
            """);

        using var images = await gw.PostAsync("/v1/images/generations", """{"model":"chatty","prompt":"x"}""");
        using var completions = await gw.PostAsync("/v1/completions", """{"model":"chatty","prompt":"x"}""");
        var mixedImages = await gw.PostAsync("/v1/images/generations", new { model = "mixed", prompt = "x" });
        var mixedChat = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", GatewayFixture.MasterKey, GatewayRequests.ChatBody("mixed"));

        var s1 = await FailureAssert.ReadAsync(images, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("image_generation", s1.Message, StringComparison.Ordinal);
        Assert.Contains("'chat'", s1.Message, StringComparison.Ordinal);
        var s2 = await FailureAssert.ReadAsync(completions, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("'completion'", s2.Message, StringComparison.Ordinal);
        for (var i = 0; i < 4; i++)
        {
            var img = await gw.PostAsync("/v1/images/generations", new { model = "mixed", prompt = "x" });
            Assert.True(img.Status == 200, img.ToString());
            Assert.Equal(mixedImages.Header("x-switchyard-deployment"), img.Header("x-switchyard-deployment"));
            var chat = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", GatewayFixture.MasterKey, GatewayRequests.ChatBody("mixed"));
            Assert.True(chat.Status == 200, chat.ToString());
            Assert.Equal(mixedChat.Header("x-switchyard-deployment"), chat.Header("x-switchyard-deployment"));
        }

        Assert.NotEqual(mixedImages.Header("x-switchyard-deployment"), mixedChat.Header("x-switchyard-deployment"));
    }

    [Fact]
    public async Task Moderations_ToAnthropicDeployment_Typed400NotAnUpstreamCall()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: claude
                litellm_params: { model: anthropic/claude-x, api_base: "{{upstream.BaseUrl}}", api_key: sk-ant }
            """);

        using var r = await gw.PostAsync("/v1/moderations", """{"model":"claude","input":"x"}""");

        var s = await FailureAssert.ReadAsync(r, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("moderations", s.Message, StringComparison.Ordinal);
        Assert.Equal(0, upstream.Count);
    }

    [Theory]
    [InlineData("/v1/completions", """{"model":"instruct"}""", "prompt", "missing_field")]
    [InlineData("/v1/completions", """{"model":"instruct","prompt":42}""", "prompt", "invalid_type")]
    [InlineData("/v1/completions", """{"model":"instruct","prompt":[]}""", "prompt", "invalid_value")]
    [InlineData("/v1/completions", """{"model":"instruct","prompt":"x","max_tokens":0}""", "max_tokens", "invalid_value")]
    [InlineData("/v1/completions", """{"model":"instruct","prompt":"x","temperature":"hot"}""", "temperature", "invalid_type")]
    [InlineData("/v1/images/generations", """{"model":"painter"}""", "prompt", "missing_field")]
    [InlineData("/v1/images/generations", """{"model":"painter","prompt":""}""", "prompt", "invalid_value")]
    [InlineData("/v1/images/generations", """{"model":"painter","prompt":"x","n":11}""", "n", "invalid_value")]
    [InlineData("/v1/images/generations", """{"model":"painter","prompt":"x","response_format":"png"}""", "response_format", "invalid_value")]
    [InlineData("/v1/images/generations", """{"model":"painter","prompt":"x","size":1024}""", "size", "invalid_type")]
    [InlineData("/v1/images/generations", """{"model":"painter","prompt":"x","stream":true}""", "stream", "unsupported_value")]
    [InlineData("/v1/moderations", """{"input":"x"}""", "model", "missing_field")]
    [InlineData("/v1/moderations", """{"model":"guard"}""", "input", "missing_field")]
    [InlineData("/v1/moderations", """{"model":"guard","input":{"a":1}}""", "input", "invalid_type")]
    [InlineData("/v1/moderations", """{"model":"guard","input":"x"} trailing""", null, "invalid_json")]
    public async Task BadBody_Typed400NamingTheField(string path, string body, string? param, string code)
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        using var r = await gw.PostAsync(path, body);

        var s = await FailureAssert.ReadAsync(r, 400, "invalid_request_error", code);
        Assert.Equal(param, s.Param);
    }

    [Theory]
    [InlineData("/v1/completions", """{"model":"instrukt","prompt":"x"}""")]
    [InlineData("/v1/images/generations", """{"model":"paintr","prompt":"x"}""")]
    [InlineData("/v1/moderations", """{"model":"gaurd","input":"x"}""")]
    public async Task UnknownAlias_Typed404WithTheNearestName(string path, string body)
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        using var r = await gw.PostAsync(path, body);

        var s = await FailureAssert.ReadAsync(r, 404, "not_found", "model_not_found");
        Assert.Contains("did you mean", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthScopesLimitsAndSpend_AsForChat()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var (limited, _) = await gw.GenerateKeyAsync(new { rpm_limit = 3 });
        var (narrow, _) = await gw.GenerateKeyAsync(new { models = new[] { "instruct" } });

        var anonymous = await gw.SendAsync(HttpMethod.Post, "/v1/moderations", null, """{"model":"guard","input":"x"}""");
        var notAllowed = await gw.SendAsync(HttpMethod.Post, "/v1/images/generations", narrow, """{"model":"painter","prompt":"x"}""");
        var one = await gw.SendAsync(HttpMethod.Post, "/v1/completions", limited, """{"model":"instruct","prompt":"x"}""");
        var two = await gw.SendAsync(HttpMethod.Post, "/v1/images/generations", limited, """{"model":"painter","prompt":"x"}""");
        var three = await gw.SendAsync(HttpMethod.Post, "/v1/moderations", limited, """{"model":"guard","input":"x"}""");
        var four = await gw.SendAsync(HttpMethod.Post, "/v1/moderations", limited, """{"model":"guard","input":"x"}""");

        Assert.Equal(401, anonymous.Status);
        Assert.Equal(403, notAllowed.Status);
        Assert.Equal("model_not_allowed", notAllowed.ErrorCode);
        Assert.Equal([200, 200, 200], new[] { one.Status, two.Status, three.Status });
        Assert.Equal(429, four.Status);
        Assert.Equal("rate_limited", four.Error.GetProperty("type").GetString());
        Assert.True(four.RetryAfterMs > 0);
        await GatewayApi.WaitUntilAsync(() =>
        {
            using var c = GatewayApi.OpenSqlite(gw.SqlitePath);
            return c.Scalar("SELECT COUNT(*) FROM spend_logs") >= 3;
        }, "three spend rows");
        using var db = GatewayApi.OpenSqlite(gw.SqlitePath);
        Assert.Equal(3, db.Scalar("SELECT COUNT(DISTINCT alias) FROM spend_logs"));
    }

    [Fact]
    public async Task Routes_ListsEveryServedRouteWithItsMethods_NeedsAToken()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var anonymous = await gw.GetAsync("/routes", token: null);
        var r = await gw.GetAsync("/routes");

        Assert.Equal(401, anonymous.Status);
        Assert.True(r.Status == 200, r.ToString());
        var routes = r.Json.GetProperty("routes").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray());
        foreach (var path in new[] { "/v1/completions", "/completions", "/v1/images/generations", "/v1/moderations", "/v1/chat/completions", "/v1/embeddings" })
        {
            Assert.Equal(["POST"], routes[path]);
        }

        Assert.Equal(["GET"], routes["/routes"]);
        Assert.Equal(["GET"], routes["/v1/models"]);
    }
}
