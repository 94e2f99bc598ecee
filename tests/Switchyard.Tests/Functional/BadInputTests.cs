using System.Net;
using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class BadInputTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private GatewayFixture _gw = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{_upstream.BaseUrl}}/v1
              - model_name: embed
                litellm_params:
                  model: mock/embed
            switchyard:
              server:
                max_body_bytes: 4096
            """);
    }

    public async Task DisposeAsync()
    {
        await _gw.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("{\"model\":\"chat\",\"messages\":[", null, "invalid_json")]
    [InlineData("not json at all", null, "invalid_json")]
    [InlineData("", null, "invalid_json")]
    [InlineData("[{\"model\":\"chat\"}]", null, "invalid_json")]
    [InlineData("\"just a string\"", null, "invalid_json")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} {}", null, "invalid_json")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "model", "missing_field")]
    [InlineData("{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "model", "invalid_type")]
    [InlineData("{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "model", "invalid_value")]
    [InlineData("{\"model\":\"chat\"}", "messages", "missing_field")]
    [InlineData("{\"model\":\"chat\",\"messages\":\"hi\"}", "messages", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[]}", "messages", "invalid_value")]
    [InlineData("{\"model\":\"chat\",\"messages\":[\"hi\"]}", "messages[0]", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"robot\",\"content\":\"beep\"}]}", "messages[1].role", "invalid_value")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"content\":\"hi\"}]}", "messages[0].role", "missing_field")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":42}]}", "messages[0].content", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}", "stream", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":-1}", "max_tokens", "invalid_value")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"100\"}", "max_tokens", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":0}", "max_completion_tokens", "invalid_value")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}", "temperature", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":1.5}", "n", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":true}", "stream_options", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":{}}", "tools", "invalid_type")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"description\":\"x\"}}]}", "tools[0].function.name", "missing_field")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"ok\"}},{\"type\":\"function\",\"function\":{\"name\":\"\"}}]}", "tools[1].function.name", "missing_field")]
    [InlineData("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":\"f\"}]}", "tools[0].function", "invalid_type")]
    public async Task Chat_InvalidBody_400NamingTheField(string body, string? param, string code)
    {
        using var response = await _gw.PostAsync("/v1/chat/completions", body);

        var s = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", code);
        Assert.Equal(param, s.Param);
        if (param is not null)
        {
            Assert.Contains($"'{param}'", s.Message, StringComparison.Ordinal);
        }

        Assert.Null(s.Route);
        Assert.Equal(0, _upstream.Count);
    }

    [Theory]
    [InlineData("{\"model\":\"embed\"}", "input", "missing_field")]
    [InlineData("{\"input\":\"hello\"}", "model", "missing_field")]
    [InlineData("{\"model\":\"embed\",\"input\":42}", "input", "invalid_type")]
    [InlineData("{\"model\":\"embed\",\"input\":[]}", "input", "invalid_value")]
    [InlineData("{\"model\":\"embed\",\"input\":\"hello\",\"dimensions\":0}", "dimensions", "invalid_value")]
    [InlineData("[1,2]", null, "invalid_json")]
    public async Task Embeddings_InvalidBody_400NamingTheField(string body, string? param, string code)
    {
        using var response = await _gw.PostAsync("/v1/embeddings", body);

        var s = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", code);
        Assert.Equal(param, s.Param);
    }

    [Theory]
    [InlineData("/v1/embeddings")]
    [InlineData("/embeddings")]
    public async Task Embeddings_ValidBody_200ThroughSdkShape(string path)
    {
        using var response = await _gw.PostAsync(path, "{\"model\":\"embed\",\"input\":[\"hello\",\"world\"]}");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"object\":\"list\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embeddings_ThroughSdk_ReturnsVector()
    {
        var embedding = await _gw.Client().GetEmbeddingClient("embed").GenerateEmbeddingAsync("hello");

        Assert.Equal(16, embedding.Value.ToFloats().Length);
    }

    [Fact]
    public async Task Chat_ValidBodyWithUnknownFields_PassesThroughUntouched()
    {
        const string body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],\"x_vendor\":{\"a\":[1,2]},\"n\":null}";

        using var response = await _gw.PostAsync("/v1/chat/completions", body);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(body.Replace("\"model\":\"chat\"", "\"model\":\"gpt-4o-mini\"", StringComparison.Ordinal), _upstream.Requests.Single().Body);
    }

    [Fact]
    public async Task Chat_BodyOverLimitWithContentLength_413()
    {
        var body = GatewayRequests.ChatBody("chat", content: new string('x', 5000));

        using var response = await _gw.PostAsync("/v1/chat/completions", body);

        var s = await FailureAssert.ReadAsync(response, 413, "payload_too_large", "body_too_large");
        Assert.Contains("4096 bytes", s.Message, StringComparison.Ordinal);
        Assert.Equal(0, _upstream.Count);
    }

    [Fact]
    public async Task Chat_BodyOverLimitChunked_413()
    {
        var bytes = Encoding.UTF8.GetBytes(GatewayRequests.ChatBody("chat", content: new string('x', 20_000)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ChunkedContent(bytes) };

        using var response = await _gw.Http.SendAsync(request);

        Assert.Null(request.Content.Headers.ContentLength);
        await FailureAssert.ReadAsync(response, 413, "payload_too_large", "body_too_large");
        Assert.Equal(0, _upstream.Count);
    }

    [Fact]
    public async Task Chat_BodyUnderLimitChunked_Accepted()
    {
        var bytes = Encoding.UTF8.GetBytes(GatewayRequests.ChatBody("chat", content: new string('x', 3000)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ChunkedContent(bytes) };

        using var response = await _gw.Http.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1, _upstream.Count);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing")]
    [InlineData("POST", "/v1/edits")]
    [InlineData("GET", "/v2/models")]
    [InlineData("PUT", "/not/a/route")]
    [InlineData("GET", "/favicon.ico")]
    [InlineData("POST", "/v1/chat/completions.json")]
    public async Task UnknownPath_404(string method, string path)
    {
        using var response = await _gw.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var s = await FailureAssert.ReadAsync(response, 404, "not_found", "unknown_route");
        Assert.Contains(path, s.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/chat/completions")]
    [InlineData("GET", "/chat/completions")]
    [InlineData("DELETE", "/v1/chat/completions")]
    [InlineData("PUT", "/v1/embeddings")]
    [InlineData("POST", "/v1/models")]
    [InlineData("POST", "/health/readiness")]
    public async Task KnownPathWrongMethod_405(string method, string path)
    {
        using var response = await _gw.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var s = await FailureAssert.ReadAsync(response, 405, "invalid_request_error", "method_not_allowed");
        Assert.Contains(method, s.Message, StringComparison.Ordinal);
        Assert.True(response.Content.Headers.Allow.Count > 0 || response.Headers.Contains("Allow"), "405 without an Allow header");
    }

    /// <summary>Sends bytes without a Content-Length (Transfer-Encoding: chunked).</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var i = 0; i < bytes.Length; i += 1000)
            {
                await stream.WriteAsync(bytes.AsMemory(i, Math.Min(1000, bytes.Length - i)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
