using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Anthropic;

/// <summary>
/// An Anthropic stream event whose <c>type</c> is a lone surrogate escape made JsonElement.GetString throw
/// InvalidOperationException outside the translator's own catch, so it escaped the relay as an unexpected failure.
/// </summary>
public sealed class AnthropicUndecodableTextTests
{
    [Theory]
    [InlineData("data: {\"type\":\"\\ud800\"}\n\n")]
    [InlineData("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"\\udc00\"}}\n\n")]
    public async Task Stream_EventWithLoneSurrogate_NoUnexpectedFailure(string hostile)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = AnthropicWire.Validated(AnthropicGatewayTests.Key, async (c, _) =>
        {
            await AnthropicWire.StartStreamAsync(c);
            await AnthropicWire.WriteRawAsync(c, hostile + AnthropicWire.MessageStart() + AnthropicWire.TextBlockStart(0) + AnthropicWire.TextDelta(0, "Hi")
                + AnthropicWire.BlockStop(0) + AnthropicWire.MessageDelta("end_turn", 3) + AnthropicWire.MessageStop());
        });
        await using var gw = await AnthropicGatewayTests.StartGatewayAsync(upstream);

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("claude", stream: true), streamResponse: true);
        await GatewayRequests.ReadAllAsync(response); // a stream that broke after its first byte ends as a failed transfer, by contract

        Assert.NotEqual(500, (int)response.StatusCode);
        Assert.DoesNotContain(gw.Logs.Entries, e => e.Level >= LogLevel.Error);
    }
}
