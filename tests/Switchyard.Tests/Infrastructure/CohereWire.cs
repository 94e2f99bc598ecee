using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// Cohere's v2 API as the real service speaks it: the Bearer key checked on every request (401
/// <c>{"id","message":"invalid api token"}</c> otherwise), /v2/chat answers (<c>message.content[]</c>, tool_calls,
/// finish_reason, usage with billed_units and tokens), the chat stream as SSE with typed events (<c>event:</c> line and
/// a <c>type</c> field in each data object), /v2/embed answers (<c>embeddings.float</c>, <c>meta.billed_units</c>),
/// and errors as <c>{"id","message"}</c>.
/// </summary>
public static class CohereWire
{
    public const string Key = "co-test-key-1234";

    public static Func<HttpContext, RecordedRequest, Task> Verified(Func<HttpContext, RecordedRequest, Task> handler)
        => async (c, r) =>
        {
            if (!r.Headers.TryGetValue("authorization", out var auth) || auth != "Bearer " + Key)
            {
                await WriteErrorAsync(c, 401, "invalid api token");
                return;
            }

            await handler(c, r);
        };

    public static JsonElement Body(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    public static object Usage(int input, int output)
        => new { billed_units = new { input_tokens = input - 60, output_tokens = output }, tokens = new { input_tokens = input, output_tokens = output } };

    public static Task WriteChatAsync(HttpContext c, string? text, string finishReason = "COMPLETE", object[]? toolCalls = null, string? toolPlan = null, object? usage = null)
        => c.Response.WriteAsJsonAsync(new Dictionary<string, object?>
        {
            ["id"] = "c14c80c3-18eb-4519-9460-6c92edd8cfb4",
            ["finish_reason"] = finishReason,
            ["message"] = toolCalls is null
                ? new { role = "assistant", content = new[] { new { type = "text", text } } }
                : new { role = "assistant", tool_plan = toolPlan, tool_calls = toolCalls },
            ["usage"] = usage ?? Usage(70, 5),
        });

    public static object ToolCall(string id, string name, string arguments) => new { id, type = "function", function = new { name, arguments } };

    public static async Task WriteErrorAsync(HttpContext c, int status, string message, string? retryAfter = null)
    {
        c.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            c.Response.Headers.RetryAfter = retryAfter;
        }

        await c.Response.WriteAsJsonAsync(new { id = "0b5a3f40-4e0e-4a4c-9b57-1f0b2b8d2d31", message });
    }

    /// <summary>One stream event: <c>event: TYPE</c> and the data object with its <c>type</c> (and index when given).</summary>
    public static (string Type, object Data) Event(string type, object? delta = null, int? index = null)
    {
        var data = new Dictionary<string, object?> { ["type"] = type };
        if (index is not null)
        {
            data["index"] = index;
        }

        if (delta is not null)
        {
            data["delta"] = delta;
        }

        return (type, data);
    }

    public static (string Type, object Data) Start() => Event("message-start", new { message = new { role = "assistant", content = Array.Empty<object>(), tool_plan = "", tool_calls = Array.Empty<object>(), citations = Array.Empty<object>() } });

    public static (string Type, object Data) Text(string text, int index = 0) => Event("content-delta", new { message = new { content = new { text } } }, index);

    public static (string Type, object Data) End(string finishReason, object? usage = null) => Event("message-end", new { finish_reason = finishReason, usage = usage ?? Usage(70, 5) });

    public static async Task WriteStreamAsync(HttpContext c, params (string Type, object Data)[] events)
    {
        c.Response.ContentType = "text/event-stream";
        foreach (var (type, data) in events)
        {
            await c.Response.WriteAsync($"event: {type}\ndata: {JsonSerializer.Serialize(data)}\n\n");
            await c.Response.Body.FlushAsync();
        }
    }
}
