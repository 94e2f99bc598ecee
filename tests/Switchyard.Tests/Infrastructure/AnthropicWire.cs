using System.Globalization;
using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// The Anthropic Messages API as the real service speaks it: header and body checks with its error shapes,
/// message objects, and SSE streams with named events (message_start, content_block_*, ping, message_delta,
/// message_stop, error).
/// </summary>
public static class AnthropicWire
{
    public const string Version = "2023-06-01";
    public const string Model = "claude-sonnet-4-5-20250929";

    /// <summary>
    /// Wraps a handler with what the real API checks first: path, x-api-key, anthropic-version, content type, and
    /// the body basics (model, max_tokens, non-empty alternating user/assistant messages, tool_result ordering).
    /// </summary>
    public static Func<HttpContext, RecordedRequest, Task> Validated(string apiKey, Func<HttpContext, RecordedRequest, Task> handler)
        => async (c, r) =>
        {
            if (Check(r, apiKey) is { } rejection)
            {
                await WriteErrorAsync(c, rejection.Status, rejection.Type, rejection.Message);
                return;
            }

            await handler(c, r);
        };

    public static (int Status, string Type, string Message)? Check(RecordedRequest r, string apiKey)
    {
        if (r.Method != "POST" || r.PathAndQuery != "/v1/messages")
        {
            return (404, "not_found_error", "Not Found");
        }

        if (!r.Headers.TryGetValue("x-api-key", out var key) || key.Length == 0)
        {
            return (401, "authentication_error", "x-api-key header is required");
        }

        if (key != apiKey)
        {
            return (401, "authentication_error", "invalid x-api-key");
        }

        if (!r.Headers.TryGetValue("anthropic-version", out var version) || version != Version)
        {
            return (400, "invalid_request_error", "anthropic-version: header is required");
        }

        if (!r.Headers.TryGetValue("content-type", out var type) || !type.StartsWith("application/json", StringComparison.Ordinal))
        {
            return (400, "invalid_request_error", "content-type must be application/json");
        }

        return CheckBody(r.Body);
    }

    public static (int, string, string)? CheckBody(string body)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return (400, "invalid_request_error", "The request body is not valid JSON.");
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
        {
            return (400, "invalid_request_error", "model: Field required");
        }

        if (!root.TryGetProperty("max_tokens", out var max) || max.ValueKind != JsonValueKind.Number || max.GetInt32() < 1)
        {
            return (400, "invalid_request_error", "max_tokens: Field required");
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return (400, "invalid_request_error", "messages: at least one message is required");
        }

        string? previous = null;
        var i = 0;
        foreach (var m in messages.EnumerateArray())
        {
            var role = m.GetProperty("role").GetString();
            if (role is not ("user" or "assistant"))
            {
                return (400, "invalid_request_error", $"messages.{i}.role: Input should be 'user' or 'assistant'");
            }

            if (role == previous)
            {
                return (400, "invalid_request_error", $"messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"{role}\" roles in a row");
            }

            if (m.GetProperty("content") is { ValueKind: JsonValueKind.Array } blocks)
            {
                var seenOther = false;
                foreach (var b in blocks.EnumerateArray())
                {
                    var isResult = b.GetProperty("type").GetString() == "tool_result";
                    if (isResult && seenOther)
                    {
                        return (400, "invalid_request_error", $"messages.{i}: tool_result blocks must come first in the content");
                    }

                    seenOther |= !isResult;
                }
            }

            previous = role;
            i++;
        }

        return null;
    }

    public static object Text(string text) => new { type = "text", text };

    public static object ToolUse(string id, string name, object input) => new { type = "tool_use", id, name, input };

    /// <summary>A whole Messages response.</summary>
    public static Task WriteMessageAsync(HttpContext c, object[] content, string stopReason = "end_turn", int input = 12, int output = 4, int cacheRead = 0, int cacheCreation = 0)
    {
        c.Response.ContentType = "application/json";
        c.Response.Headers["request-id"] = "req_fake01";
        return c.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "msg_01FakeMessage",
            type = "message",
            role = "assistant",
            model = Model,
            content,
            stop_reason = stopReason,
            stop_sequence = (string?)null,
            usage = new { input_tokens = input, cache_creation_input_tokens = cacheCreation, cache_read_input_tokens = cacheRead, output_tokens = output, service_tier = "standard" },
        }));
    }

    /// <summary>An error answer: <c>{"type":"error","error":{"type":...,"message":...},"request_id":...}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext c, int status, string type, string message, TimeSpan? retryAfter = null)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        c.Response.Headers["request-id"] = "req_fake02";
        if (retryAfter is { } ra)
        {
            c.Response.Headers.RetryAfter = ((int)Math.Ceiling(ra.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return c.Response.WriteAsync(JsonSerializer.Serialize(new { type = "error", error = new { type, message }, request_id = "req_fake02" }));
    }

    /// <summary>One named SSE event exactly as Anthropic frames it.</summary>
    public static string Event(string name, object data) => $"event: {name}\ndata: {JsonSerializer.Serialize(data)}\n\n";

    public static string MessageStart(int input = 25, int cacheRead = 0)
        => Event("message_start", new
        {
            type = "message_start",
            message = new
            {
                id = "msg_01FakeStream",
                type = "message",
                role = "assistant",
                content = Array.Empty<object>(),
                model = Model,
                stop_reason = (string?)null,
                stop_sequence = (string?)null,
                usage = new { input_tokens = input, cache_creation_input_tokens = 0, cache_read_input_tokens = cacheRead, output_tokens = 1, service_tier = "standard" },
            },
        });

    public static string Ping() => "event: ping\ndata: {\"type\": \"ping\"}\n\n";

    public static string TextBlockStart(int index) => Event("content_block_start", new { type = "content_block_start", index, content_block = new { type = "text", text = "" } });

    public static string TextDelta(int index, string text) => Event("content_block_delta", new { type = "content_block_delta", index, delta = new { type = "text_delta", text } });

    public static string ToolBlockStart(int index, string id, string name)
        => Event("content_block_start", new { type = "content_block_start", index, content_block = new { type = "tool_use", id, name, input = new { } } });

    public static string JsonDelta(int index, string partialJson)
        => Event("content_block_delta", new { type = "content_block_delta", index, delta = new { type = "input_json_delta", partial_json = partialJson } });

    public static string BlockStop(int index) => Event("content_block_stop", new { type = "content_block_stop", index });

    public static string MessageDelta(string stopReason, int output)
        => Event("message_delta", new { type = "message_delta", delta = new { stop_reason = stopReason, stop_sequence = (string?)null }, usage = new { output_tokens = output } });

    public static string MessageStop() => Event("message_stop", new { type = "message_stop" });

    public static string Error(string type, string message) => Event("error", new { type = "error", error = new { type, message } });

    public static async Task StartStreamAsync(HttpContext c)
    {
        c.Response.ContentType = "text/event-stream; charset=utf-8";
        c.Response.Headers.CacheControl = "no-cache";
        c.Response.Headers["request-id"] = "req_fake03";
        await c.Response.Body.FlushAsync();
    }

    public static async Task WriteRawAsync(HttpContext c, string text)
    {
        await c.Response.WriteAsync(text);
        await c.Response.Body.FlushAsync();
    }

    /// <summary>A complete text stream: message_start, a ping, one text block in pieces, message_delta, message_stop.</summary>
    public static async Task WriteTextStreamAsync(HttpContext c, string stopReason, params string[] pieces)
    {
        await StartStreamAsync(c);
        await WriteRawAsync(c, MessageStart());
        await WriteRawAsync(c, TextBlockStart(0));
        await WriteRawAsync(c, Ping());
        foreach (var p in pieces)
        {
            await WriteRawAsync(c, TextDelta(0, p));
        }

        await WriteRawAsync(c, BlockStop(0));
        await WriteRawAsync(c, MessageDelta(stopReason, 15));
        await WriteRawAsync(c, MessageStop());
    }

    /// <summary>A stream with a short text block and then one tool_use block whose input arrives in fragments.</summary>
    public static async Task WriteToolStreamAsync(HttpContext c, string id, string name, params string[] jsonFragments)
    {
        await StartStreamAsync(c);
        await WriteRawAsync(c, MessageStart());
        await WriteRawAsync(c, TextBlockStart(0));
        await WriteRawAsync(c, TextDelta(0, "Let me check."));
        await WriteRawAsync(c, BlockStop(0));
        await WriteRawAsync(c, ToolBlockStart(1, id, name));
        await WriteRawAsync(c, JsonDelta(1, ""));
        foreach (var f in jsonFragments)
        {
            await WriteRawAsync(c, JsonDelta(1, f));
        }

        await WriteRawAsync(c, BlockStop(1));
        await WriteRawAsync(c, Ping());
        await WriteRawAsync(c, MessageDelta("tool_use", 40));
        await WriteRawAsync(c, MessageStop());
    }
}
