using System.Buffers;
using System.Text.Json;

namespace Switchyard.Http;

/// <summary>
/// The name a refused inference request asked for, for the summary's <c>route</c> when the refusal (401, 403) comes
/// before the body is read. The body is read only when it is small and says how small: a <c>Content-Length</c> of at
/// most <see cref="MaxBytes"/> (a body Kestrel would drain anyway to keep the connection). Then <c>route</c> is the
/// top-level <c>model</c> string of a JSON object body (1 to 256 characters). It stays null for a larger body, one
/// sent chunked without a length, one that is not a JSON object, and one whose model is missing or not a string.
/// </summary>
internal static class RequestedModel
{
    public const int MaxBytes = 64 * 1024;

    public static async ValueTask<string?> PeekAsync(HttpContext context)
    {
        if (context.Request.ContentLength is not (> 0 and <= MaxBytes))
        {
            return null;
        }

        byte[]? body;
        int length;
        try
        {
            (body, length, _) = await BodyReader.ReadAsync(context, MaxBytes);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            return null; // a broken or stalled body: the refusal goes out without a route
        }

        if (body is null)
        {
            return null;
        }

        try
        {
            return Find(body.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>The top-level <c>model</c> string of a JSON object, or null.</summary>
    public static string? Find(ReadOnlySpan<byte> json)
    {
        try
        {
            var r = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = r.ValueTextEquals("model"u8);
                if (!r.Read())
                {
                    return null;
                }

                if (isModel)
                {
                    return r.TokenType == JsonTokenType.String && r.GetString() is { Length: > 0 and <= 256 } model && WellFormed(model) ? model : null;
                }

                r.Skip();
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        return null;
    }

    /// <summary>No lone surrogate (a <c>\ud800</c> escape): the summary writer could not write it.</summary>
    private static bool WellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
