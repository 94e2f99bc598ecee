using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;

namespace Switchyard.Providers.Http;

/// <summary>Classifies upstream HTTP failures. Reads at most a small prefix of an error body, only for its code and param.</summary>
public static class UpstreamErrors
{
    private const int MaxErrorBody = 64 * 1024;

    public static async ValueTask<UpstreamFailure> FromResponseAsync(HttpResponseMessage response, TimeProvider time, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response.Headers, time.GetUtcNow());
        byte[] body;
        try
        {
            body = await ReadPrefixAsync(response.Content, MaxErrorBody, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            body = [];
        }

        var (code, param, type, message) = ParseError(body);
        var contextWindow = code is "context_length_exceeded" || (message?.Contains("context length", StringComparison.OrdinalIgnoreCase) ?? false)
            || (message?.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase) ?? false)
            || (message?.Contains("maximum context", StringComparison.OrdinalIgnoreCase) ?? false);
        var kind = status switch
        {
            429 => FailureKind.RateLimited,
            401 or 403 => FailureKind.UpstreamAuth,
            408 => FailureKind.Timeout,
            >= 500 => FailureKind.ServerError,
            400 or 413 or 422 when contextWindow => FailureKind.ContextWindowExceeded,
            >= 400 => FailureKind.CallerError,
            _ => FailureKind.InvalidResponse,
        };
        return new UpstreamFailure(kind, status, $"answered HTTP {status}")
        {
            RetryAfter = retryAfter,
            UpstreamCode = Safe(code ?? type),
            UpstreamParam = Safe(param),
        };
    }

    public static UpstreamFailure FromException(Exception e, bool timedOut, TimeSpan timeout, string phase)
    {
        if (timedOut)
        {
            return new UpstreamFailure(FailureKind.Timeout, null, $"gave no {phase} within {Format(timeout)}");
        }

        var socket = e as SocketException ?? e.InnerException as SocketException ?? e.InnerException?.InnerException as SocketException;
        var what = socket?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "refused the connection",
            SocketError.ConnectionReset => "reset the connection",
            SocketError.HostNotFound or SocketError.NoData => "has a host name that does not resolve",
            SocketError.TimedOut => "did not accept a connection in time",
            { } other => "connection failed (" + other + ")",
            null => e is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } ? "closed the connection before answering" : "connection failed (" + e.GetType().Name + ")",
        };
        return new UpstreamFailure(FailureKind.ConnectionError, null, what);
    }

    public static string Format(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.##} s" : $"{t.TotalMilliseconds:0} ms";

    /// <summary>Retry-After (seconds or HTTP date) and the OpenAI-style retry-after-ms header.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m >= 0)
        {
            return TimeSpan.FromMilliseconds(Math.Min(m, 86_400_000));
        }

        if (headers.RetryAfter is { } ra)
        {
            if (ra.Delta is { } d)
            {
                return d < TimeSpan.Zero ? TimeSpan.Zero : d;
            }

            if (ra.Date is { } date)
            {
                var delta = date - now;
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads a whole answer's body (up to <paramref name="max"/> bytes) under the attempt's <paramref name="token"/>: a
    /// reset, a read error or the attempt's timeout is a classified failure ("complete body"); the caller's own
    /// cancellation (<paramref name="callerToken"/>) is thrown.
    /// </summary>
    public static async ValueTask<AttemptResult<byte[]>> ReadBodyAsync(HttpContent content, int max, TimeSpan timeout, CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            return AttemptResult<byte[]>.Ok(await ReadPrefixAsync(content, max, token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            callerToken.ThrowIfCancellationRequested();
            return FromException(e, IsTimeout(e, callerToken), timeout, "complete body");
        }
    }

    /// <summary>
    /// Reads the body up to <paramref name="max"/> bytes. The working buffer is pooled and sized from Content-Length
    /// (else 16 KiB), growing only as the body does: <paramref name="max"/> is a cap, not an allocation size.
    /// </summary>
    public static async Task<byte[]> ReadPrefixAsync(HttpContent content, int max, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var declared = content.Headers.ContentLength;

        // One byte over the declared length lets the read that sees the end fit without growing the buffer.
        var initial = (int)Math.Min(max, declared is { } d and >= 0 ? d + 1 : 16 * 1024);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 1));
        var total = 0;
        try
        {
            while (total < max)
            {
                if (total == buffer.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(max, 2L * buffer.Length));
                    buffer.AsSpan(0, total).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var n = await stream.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, max) - total), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return buffer.AsSpan(0, total).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads error.code / error.param / error.type / error.message from OpenAI or Anthropic error bodies.</summary>
    public static (string? Code, string? Param, string? Type, string? Message) ParseError(ReadOnlySpan<byte> body)
    {
        try
        {
            var r = new Utf8JsonReader(body);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("error"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.StartObject)
                    {
                        r.Skip();
                        continue;
                    }

                    string? code = null, param = null, type = null, message = null;
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = r.GetString();
                        r.Read();
                        var value = r.TokenType == JsonTokenType.String ? r.GetString() : r.TokenType == JsonTokenType.Number ? r.GetInt64().ToString(CultureInfo.InvariantCulture) : null;
                        r.Skip();
                        switch (name)
                        {
                            case "code": code = value; break;
                            case "param": param = value; break;
                            case "type": type = value; break;
                            case "message": message = value; break;
                        }
                    }

                    return (code, param, type, message);
                }

                r.Read();
                r.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return default;
    }

    /// <summary>Keeps a short identifier-like token (codes and param names); anything else is dropped.</summary>
    private static string? Safe(string? value)
    {
        if (value is null || value.Length > 64)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '[' or ']'))
            {
                return null;
            }
        }

        return value;
    }

    public static bool IsTimeout(Exception e, CancellationToken callerToken) => e is OperationCanceledException && !callerToken.IsCancellationRequested;

    public static bool IsJson(HttpContentHeaders headers)
        => headers.ContentType?.MediaType is { } m && (m.Equals("application/json", StringComparison.OrdinalIgnoreCase) || m.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    public static bool IsEventStream(HttpContentHeaders headers)
        => string.Equals(headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    public static HttpStatusCode Ok => HttpStatusCode.OK;
}
