using System.Buffers;
using System.Text.Json;

namespace Switchyard.AccessLog;

/// <summary>
/// Writes an <see cref="AccessRecord"/> as one JSON object and a newline, every field always present (null when unknown),
/// so a line can be read by jq, Loki or grep without knowing which kind of request it was. Runs on the writer's thread.
/// </summary>
internal static class AccessLogFormatter
{
    /// <summary>Appends the line to <paramref name="output"/> through <paramref name="w"/> (reset onto it, reused across lines).</summary>
    public static void Write(AccessRecord r, IBufferWriter<byte> output, Utf8JsonWriter w)
    {
        w.Reset(output);

        w.WriteStartObject();
        w.WriteString("log"u8, "access"u8);
        w.WriteString("time"u8, r.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("method"u8, r.Method);
        w.WriteString("path"u8, r.Path.Length > 256 ? r.Path[..256] : r.Path);
        w.WriteNumber("status"u8, r.Status ?? 0);
        String(w, "code"u8, r.Code);
        String(w, "alias"u8, r.Alias);
        String(w, "group"u8, r.Group);
        String(w, "deployment"u8, r.Deployment);
        String(w, "fallback"u8, r.Fallback);
        w.WriteBoolean("canary"u8, r.Canary);
        w.WriteBoolean("offline_standby"u8, r.OfflineStandby);
        if (r.Stream is { } stream)
        {
            w.WriteBoolean("stream"u8, stream);
        }
        else
        {
            w.WriteNull("stream"u8);
        }

        String(w, "tenant_id"u8, r.TenantId);
        String(w, "token_id"u8, r.TokenId);
        String(w, "key_alias"u8, r.KeyAlias);
        w.WriteNumber("attempts"u8, r.Attempts);
        Number(w, "prompt_tokens"u8, r.PromptTokens);
        Number(w, "completion_tokens"u8, r.CompletionTokens);
        if (r.Cost is { } cost)
        {
            w.WriteNumber("cost_usd"u8, cost);
        }
        else
        {
            w.WriteNull("cost_usd"u8);
        }

        w.WriteNumber("latency_ms"u8, Math.Round(r.LatencyMs, 1));
        String(w, "client"u8, r.Client?.ToString());
        w.WriteString("correlation_id"u8, r.CorrelationId);
        w.WriteEndObject();
        w.Flush();
        output.Write("\n"u8);
    }

    private static void String(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
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

    private static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
