using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Switchyard.Providers.Anthropic;

/// <summary>Names and first checks of Anthropic stream events.</summary>
internal static class AnthropicStreamEvents
{
    private static readonly HashSet<string> Known =
        ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping", "error"];

    /// <summary>Whether this adapter knows the event type (Anthropic may add types; unknown ones are skipped).</summary>
    public static bool IsKnown(string type) => Known.Contains(type);

    /// <summary>The event's name; a nameless event is named by its data's <c>type</c>.</summary>
    public static string TypeOf(SseItem<byte[]> item)
    {
        if (item.EventType != SseParser.EventTypeDefault)
        {
            return item.EventType;
        }

        try
        {
            using var document = JsonDocument.Parse(item.Data);
            return AnthropicJson.String(document.RootElement, "type") ?? item.EventType;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string the reader cannot decode (a lone surrogate escape)
            return item.EventType;
        }
    }

    /// <summary>Whether a message_start event's data is a JSON object holding the message object.</summary>
    public static bool IsValidStart(byte[] data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return AnthropicJson.Get(document.RootElement, "message").ValueKind == JsonValueKind.Object;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string the reader cannot decode (a lone surrogate escape)
            return false;
        }
    }
}
