using System.Globalization;
using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>OpenAI wire format as the real API writes it: completions, chunks, errors with their headers.</summary>
public static class OpenAIWire
{
    public static Task WriteCompletionAsync(HttpContext c, string content, string model = "gpt-4o-mini", int prompt = 11, int completion = 3)
    {
        c.Response.ContentType = "application/json";
        c.Response.Headers["x-request-id"] = "req_fake";
        return c.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake1",
            @object = "chat.completion",
            created = 1_700_000_000,
            model,
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = prompt, completion_tokens = completion, total_tokens = prompt + completion },
        }));
    }

    public static Task WriteErrorAsync(HttpContext c, int status, string message, string type = "server_error", string? code = null, string? param = null, TimeSpan? retryAfter = null)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        if (retryAfter is { } ra)
        {
            c.Response.Headers.RetryAfter = ((int)Math.Ceiling(ra.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            c.Response.Headers["retry-after-ms"] = ((long)ra.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        return c.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { message, type, param, code } }));
    }

    /// <summary>Never answers: waits until the gateway gives up and closes the connection.</summary>
    public static async Task HangAsync(HttpContext c)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, c.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A 200 whose body is not JSON at all.</summary>
    public static Task WriteGarbageAsync(HttpContext c)
    {
        c.Response.ContentType = "application/json";
        return c.Response.WriteAsync("<html>surprise</html>");
    }

    public static string Chunk(string? content, string? finish = null, string model = "gpt-4o-mini")
        => "data: " + JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake1",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model,
            choices = new[] { new { index = 0, delta = content is null ? (object)new { } : new { content }, finish_reason = finish } },
        }) + "\n\n";

    public static string UsageChunk(int prompt, int completion, string model = "gpt-4o-mini")
        => "data: " + JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake1",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model,
            choices = Array.Empty<object>(),
            usage = new { prompt_tokens = prompt, completion_tokens = completion, total_tokens = prompt + completion },
        }) + "\n\n";

    public static async Task StartStreamAsync(HttpContext c)
    {
        c.Response.ContentType = "text/event-stream";
        c.Response.Headers.CacheControl = "no-cache";
        await c.Response.Body.FlushAsync();
    }

    public static async Task WriteRawAsync(HttpContext c, string text)
    {
        await c.Response.WriteAsync(text);
        await c.Response.Body.FlushAsync();
    }

    /// <summary>A complete, well-formed stream of the given pieces, with usage when the request asked for it.</summary>
    public static async Task WriteStreamAsync(HttpContext c, RecordedRequest request, params string[] pieces)
    {
        await StartStreamAsync(c);
        foreach (var p in pieces)
        {
            await WriteRawAsync(c, Chunk(p));
        }

        await WriteRawAsync(c, Chunk(null, "stop"));
        if (request.Body.Contains("\"include_usage\":true", StringComparison.Ordinal))
        {
            await WriteRawAsync(c, UsageChunk(11, pieces.Length));
        }

        await WriteRawAsync(c, "data: [DONE]\n\n");
    }
}
