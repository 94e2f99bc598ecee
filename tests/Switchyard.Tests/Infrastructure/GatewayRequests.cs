using System.Text;
using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Raw HTTP calls to the gateway, for the tests that need exact bytes, headers or malformed bodies.</summary>
public static class GatewayRequests
{
    /// <summary>The smallest valid chat body for a model.</summary>
    public static string ChatBody(string model, bool stream = false, string content = "ping")
        => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = model,
            ["messages"] = new[] { new { role = "user", content } },
            ["stream"] = stream,
        });

    public static Task<HttpResponseMessage> PostAsync(this GatewayFixture gw, string path, string body, IDictionary<string, string>? headers = null, bool streamResponse = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }

        return gw.Http.SendAsync(request, streamResponse ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
    }

    public static Task<HttpResponseMessage> ChatAsync(this GatewayFixture gw, string model, bool stream = false, IDictionary<string, string>? headers = null)
        => gw.PostAsync("/v1/chat/completions", ChatBody(model, stream), headers);

    /// <summary>
    /// Reads a stream the gateway ended as failed (after its typed error event, without the chunked body's last chunk)
    /// and fails the test if the transfer completed normally: clients that ignore error events must still see a break.
    /// </summary>
    public static async Task<string> ReadAbandonedAsync(HttpResponseMessage response)
    {
        var (text, broken) = await ReadAllAsync(response);
        Xunit.Assert.True(broken, "the stream completed normally; a stream that broke after its first byte must end as a failed transfer. Body: " + text);
        return text;
    }

    /// <summary>Reads whatever the gateway sent, and whether the transfer ended without completing (an aborted stream).</summary>
    public static async Task<(string Text, bool Broken)> ReadAllAsync(HttpResponseMessage response)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var copy = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(chunk)) > 0)
            {
                copy.Write(chunk, 0, n);
            }
        }
        catch (IOException)
        {
            return (System.Text.Encoding.UTF8.GetString(copy.ToArray()), true);
        }

        return (System.Text.Encoding.UTF8.GetString(copy.ToArray()), false);
    }

    /// <summary>Splits an SSE body into its events' data payloads (one string per event).</summary>
    public static IReadOnlyList<string> SseData(string body)
        => body.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => string.Join("\n", e.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].TrimStart())))
            .Where(d => d.Length > 0)
            .ToArray();

    /// <summary>The content deltas of OpenAI chunk events, in order.</summary>
    public static IReadOnlyList<string> ContentDeltas(IEnumerable<string> data)
    {
        var result = new List<string>();
        foreach (var d in data.Where(d => d != "[DONE]"))
        {
            using var doc = JsonDocument.Parse(d);
            if (doc.RootElement.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            {
                result.Add(c.GetString()!);
            }
        }

        return result;
    }
}
