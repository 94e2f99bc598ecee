using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Clients;

/// <summary>
/// The official OpenAI .NET SDK against the gateway: a stream that breaks after its first byte must make the SDK's
/// enumeration throw (it skips the typed error event, so only the failed transfer tells it), and the provider's
/// request id reaches the caller.
/// </summary>
public sealed class OpenAISdkStreamFailureTests
{
    internal const string UpstreamRequestId = "req_7f3a9c1e2b";

    internal static string Single(FakeUpstream upstream) => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
        router_settings:
          num_retries: 0
        """;

    /// <summary>
    /// Two content chunks, then the upstream closes the stream cleanly without [DONE] or, when <paramref name="resetAfter"/>
    /// is given, resets the connection once it completes (after the caller saw the chunks: a reset sooner may discard
    /// them unread in the gateway's socket, and the attempt then fails before its first byte instead).
    /// </summary>
    internal static Func<HttpContext, RecordedRequest, Task> BreaksAfterTwoChunks(Task? resetAfter = null) => async (c, _) =>
    {
        c.Response.Headers["x-request-id"] = UpstreamRequestId;
        await OpenAIWire.StartStreamAsync(c);
        await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("Hel"));
        await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk("lo"));
        if (resetAfter is not null)
        {
            await resetAfter.WaitAsync(TimeSpan.FromSeconds(10));
            c.Abort();
        }
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sdk_StreamBreaksMidway_EnumerationThrowsAfterThePartialText(bool reset)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var sawText = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handler = BreaksAfterTwoChunks(reset ? sawText.Task : null);
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));
        var text = "";

        var thrown = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in gw.Chat("chat").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
                text += string.Concat(update.ContentUpdate.Select(p => p.Text));
                if (text == "Hello")
                {
                    sawText.TrySetResult();
                }
            }
        });

        Assert.NotNull(thrown); // finishing normally here would hand an agent half an answer as a whole one
        Assert.IsNotType<OperationCanceledException>(thrown);
        Assert.True(thrown is IOException || thrown.InnerException is IOException || thrown is HttpRequestException, "not a failed transfer: " + thrown);
        Assert.Equal("Hello", text);
    }

    [Fact]
    public async Task Sdk_StreamCompletes_EnumerationEndsNormally()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "Hel", "lo");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));
        var text = "";

        await foreach (var update in gw.Chat("chat").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
        }

        Assert.Equal("Hello", text);
    }

    [Fact]
    public async Task Sdk_NonStream_UpstreamRequestIdForwarded()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "hi"); // answers with x-request-id: req_fake
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        var result = await gw.Chat("chat").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-request-id", out var id));
        Assert.Equal("req_fake", id);
        Assert.Equal("hi", result.Value.Content[0].Text);
    }

    [Fact]
    public async Task Stream_UpstreamRequestIdForwardedBeforeTheFirstChunk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) =>
        {
            c.Response.Headers["x-request-id"] = UpstreamRequestId;
            return OpenAIWire.WriteStreamAsync(c, r, "ok");
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true), streamResponse: true);

        Assert.Equal(UpstreamRequestId, response.Headers.GetValues("x-request-id").Single());
        Assert.False(response.Headers.Contains("request-id"));
    }

    [Fact]
    public async Task UpstreamWithoutRequestId_NoneInvented()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "ok"); // no request id header
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true), streamResponse: true);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(response.Headers.Contains("x-request-id"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Anthropic_RequestIdForwardedAsXRequestIdAndUnderItsOwnName(bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = stream
            ? (c, _) => AnthropicWire.WriteTextStreamAsync(c, "end_turn", "Hi")
            : (c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("Hi")]);
        await using var gw = await Providers.Anthropic.AnthropicGatewayTests.StartGatewayAsync(upstream);

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("claude", stream: stream), streamResponse: stream);

        Assert.Equal(200, (int)response.StatusCode);
        var expected = stream ? "req_fake03" : "req_fake01"; // what AnthropicWire's fake answers carry in request-id
        Assert.Equal(expected, response.Headers.GetValues("x-request-id").Single());
        Assert.Equal(expected, response.Headers.GetValues("request-id").Single());
    }
}
