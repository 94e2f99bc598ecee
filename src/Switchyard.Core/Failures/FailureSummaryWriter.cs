using System.Text.Json;

namespace Switchyard.Core.Failures;

/// <summary>Writes the failure summary envelope and its SSE form without reflection.</summary>
public static class FailureSummaryWriter
{
    /// <summary>Readable messages (quotes and apostrophes unescaped); the body is JSON for API clients, never HTML.</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(Utf8JsonWriter w, FailureSummary s)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", s.Message);
        w.WriteString("type", s.Type);
        WriteNullable(w, "code", s.Code);
        WriteNullable(w, "param", s.Param);
        WriteRouting(w, s);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static byte[] ToUtf8(FailureSummary s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            Write(w, s);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The single SSE event that ends a stream which failed after its first byte.</summary>
    public static byte[] ToSseEvent(FailureSummary s)
    {
        var json = ToUtf8(s);
        var result = new byte[6 + json.Length + 2];
        "data: "u8.CopyTo(result);
        json.CopyTo(result.AsSpan(6));
        result[^2] = (byte)'\n';
        result[^1] = (byte)'\n';
        return result;
    }

    /// <summary>
    /// The summary's routing fields (route, provider_family, retry_after_ms, correlation_id) into the open object:
    /// every protocol's error shape (OpenAI, Anthropic Messages, the Responses stream's error event) carries them.
    /// </summary>
    public static void WriteRouting(Utf8JsonWriter w, FailureSummary s)
    {
        WriteNullable(w, "route", s.Route);
        WriteNullable(w, "provider_family", s.ProviderFamily);
        if (s.RetryAfterMs is { } ms)
        {
            w.WriteNumber("retry_after_ms", ms);
        }
        else
        {
            w.WriteNull("retry_after_ms");
        }

        WriteNullable(w, "correlation_id", s.CorrelationId);
    }

    /// <summary>A string property, or null when there is no value.</summary>
    public static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
