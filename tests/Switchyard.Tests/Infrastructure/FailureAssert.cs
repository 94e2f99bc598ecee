using System.Globalization;
using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>A failure summary as the caller reads it: the eight contract fields, null when the gateway did not know them.</summary>
public sealed record Summary(
    string Message, string Type, string? Code, string? Param, string? Route, string? ProviderFamily, long? RetryAfterMs, string? CorrelationId);

/// <summary>Checks the failure summary contract: envelope, all eight fields, status and headers.</summary>
public static class FailureAssert
{
    private static readonly string[] Fields = ["message", "type", "code", "param", "route", "provider_family", "retry_after_ms", "correlation_id"];

    /// <summary>
    /// Reads an error answer and checks what every error must have: the status, a JSON body with exactly the eight
    /// fields, X-Correlation-Id equal to correlation_id, x-should-retry, and Retry-After / retry-after-ms exactly when
    /// retry_after_ms is set.
    /// </summary>
    public static async Task<Summary> ReadAsync(HttpResponseMessage response, int status, string type, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected HTTP {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var summary = Parse(text);
        Assert.Equal(type, summary.Type);
        Assert.Equal(code, summary.Code);
        Assert.False(string.IsNullOrWhiteSpace(summary.Message));

        Assert.True(response.Headers.TryGetValues("X-Correlation-Id", out var ids), "X-Correlation-Id header missing");
        Assert.Equal(summary.CorrelationId, Assert.Single(ids));
        Assert.True(response.Headers.TryGetValues("x-should-retry", out var shouldRetry), "x-should-retry header missing");
        var expectRetry = status is 408 or 409 or 429 or >= 500 && type != "internal_error";
        Assert.Equal(expectRetry ? "true" : "false", Assert.Single(shouldRetry));
        if (status is 502 or 504 && expectRetry)
        {
            Assert.True(summary.RetryAfterMs is > 0, "a retryable 502/504 without a retry hint");
        }

        if (summary.RetryAfterMs is { } ms)
        {
            Assert.Equal(Math.Max(1, (long)Math.Ceiling(ms / 1000.0)).ToString(CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("Retry-After")));
            Assert.Equal(ms.ToString(CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("retry-after-ms")));
        }
        else
        {
            Assert.False(response.Headers.Contains("Retry-After"), "Retry-After without retry_after_ms");
            Assert.False(response.Headers.Contains("retry-after-ms"), "retry-after-ms without retry_after_ms");
        }

        return summary;
    }

    /// <summary>Parses {"error": {...}} and checks it holds exactly the eight contract fields with the right JSON kinds.</summary>
    public static Summary Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name).ToArray());
        var e = root.GetProperty("error");
        Assert.Equal(Fields, e.EnumerateObject().Select(p => p.Name).ToArray());
        foreach (var name in Fields)
        {
            var kind = e.GetProperty(name).ValueKind;
            var allowed = name switch
            {
                "message" or "type" => [JsonValueKind.String],
                "retry_after_ms" => new[] { JsonValueKind.Number, JsonValueKind.Null },
                _ => [JsonValueKind.String, JsonValueKind.Null],
            };
            Assert.Contains(kind, allowed);
        }

        string? S(string n) => e.GetProperty(n).ValueKind == JsonValueKind.Null ? null : e.GetProperty(n).GetString();
        var retry = e.GetProperty("retry_after_ms");
        return new Summary(
            S("message")!, S("type")!, S("code"), S("param"), S("route"), S("provider_family"),
            retry.ValueKind == JsonValueKind.Null ? null : retry.GetInt64(), S("correlation_id"));
    }
}
