using System.Net.Http.Headers;
using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class CorrelationTests : IAsyncLifetime
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const string ValidTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

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
            """);
    }

    public async Task DisposeAsync()
    {
        await _gw.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    /// <summary>Sends raw header values (UTF-8 allowed) the way a careless caller might.</summary>
    private async Task<HttpResponseMessage> ChatWithHeadersAsync(params (string Name, string Value)[] headers)
    {
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(_gw.BaseUrl) };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(GatewayRequests.ChatBody("chat"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.MasterKey);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static void AssertGeneratedId(string id)
    {
        Assert.Equal(26, id.Length);
        Assert.All(id, c => Assert.Contains(c, Crockford));
    }

    [Theory]
    [InlineData("thread-42/turn-7")]
    [InlineData("01JD5Z3V9Q6W8X2Y4Z6A8B0C1D")]
    [InlineData("a")]
    [InlineData("!~{}[]<>|^`@#$%&*()_+=-:;,.?")]
    public async Task CorrelationId_ValidCallerId_EchoedAndForwardedUpstream(string id)
    {
        using var response = await ChatWithHeadersAsync(("X-Correlation-Id", id));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(id, response.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Equal(id, Assert.Single(_upstream.Requests).Headers["x-correlation-id"]);
    }

    [Fact]
    public async Task CorrelationId_Exactly128Chars_Kept()
    {
        var id = new string('k', 128);

        using var response = await ChatWithHeadersAsync(("X-Correlation-Id", id));

        Assert.Equal(id, response.Headers.GetValues("X-Correlation-Id").Single());
        Assert.Equal(id, Assert.Single(_upstream.Requests).Headers["x-correlation-id"]);
    }

    [Theory]
    [InlineData("too-long")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("ünïcode-id")]
    [InlineData("emoji-✓")]
    public async Task CorrelationId_InvalidCallerId_ReplacedWithNewSortableId(string kind)
    {
        var value = kind == "too-long" ? new string('x', 129) : kind;

        using var response = await ChatWithHeadersAsync(("X-Correlation-Id", value));

        Assert.Equal(200, (int)response.StatusCode);
        var id = response.Headers.GetValues("X-Correlation-Id").Single();
        Assert.NotEqual(value, id);
        AssertGeneratedId(id);
        Assert.Equal(id, Assert.Single(_upstream.Requests).Headers["x-correlation-id"]);
    }

    [Fact]
    public async Task CorrelationId_None_NewIdGeneratedAndForwarded()
    {
        using var response = await ChatWithHeadersAsync();

        var id = response.Headers.GetValues("X-Correlation-Id").Single();
        AssertGeneratedId(id);
        Assert.Equal(id, Assert.Single(_upstream.Requests).Headers["x-correlation-id"]);
    }

    [Fact]
    public async Task CorrelationId_InvalidIdOnErrorAnswer_SummaryCarriesTheReplacement()
    {
        using var handler = new SocketsHttpHandler();
        using var client = new HttpClient(handler) { BaseAddress = new Uri(_gw.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.TryAddWithoutValidation("X-Correlation-Id", "bad id");

        using var response = await client.SendAsync(request);

        var s = await FailureAssert.ReadAsync(response, 401, "authentication_error", "missing_token");
        AssertGeneratedId(s.CorrelationId!);
    }

    [Fact]
    public async Task TraceParent_Valid_ForwardedWithTraceState()
    {
        using var response = await ChatWithHeadersAsync(("traceparent", ValidTraceParent), ("tracestate", "vendor=abc"));

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(_upstream.Requests);
        Assert.Equal(ValidTraceParent, sent.Headers["traceparent"]);
        Assert.Equal("vendor=abc", sent.Headers["tracestate"]);
    }

    [Theory]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01")] // uppercase
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")] // zero trace id
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")] // zero parent id
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")] // forbidden version
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")] // short
    [InlineData("not-a-trace-parent")]
    public async Task TraceParent_Invalid_DroppedAlongWithTraceState(string traceParent)
    {
        using var response = await ChatWithHeadersAsync(("traceparent", traceParent), ("tracestate", "vendor=abc"));

        Assert.Equal(200, (int)response.StatusCode);
        var sent = Assert.Single(_upstream.Requests);
        Assert.False(sent.Headers.ContainsKey("traceparent"));
        Assert.False(sent.Headers.ContainsKey("tracestate"));
    }
}
