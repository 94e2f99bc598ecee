using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// Amazon Bedrock runtime as the real service speaks it: SigV4 verified on every request (the signature recomputed here
/// from the known secret, independently of the gateway's signer: canonical request, string to sign, derived key),
/// 403 InvalidSignatureException / UnrecognizedClientException otherwise; Converse JSON answers, ConverseStream
/// answers in the AWS event-stream binary framing (prelude, headers, payload, CRC32s), and errors with x-amzn-ErrorType.
/// </summary>
public static class BedrockWire
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Region = "eu-west-1";

    public static Func<HttpContext, RecordedRequest, Task> Verified(Func<HttpContext, RecordedRequest, Task> handler)
        => async (c, r) =>
        {
            if (Verify(c, r) is { } problem)
            {
                await WriteErrorAsync(c, 403, problem.Type, problem.Message);
                return;
            }

            await handler(c, r);
        };

    public static (string Type, string Message)? Verify(HttpContext c, RecordedRequest r)
    {
        if (!r.Headers.TryGetValue("authorization", out var auth) || !auth.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return ("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var parts = auth["AWS4-HMAC-SHA256 ".Length..].Split(", ").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var scope = parts["Credential"].Split('/');
        if (scope[0] != AccessKey)
        {
            return ("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var date = r.Headers["x-amz-date"];
        var signed = parts["SignedHeaders"].Split(';');
        var rawTarget = c.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = rawTarget.Split('?')[0];
        var canonicalPath = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(r.Body)));
        if (r.Headers["x-amz-content-sha256"] != bodyHash)
        {
            return ("InvalidSignatureException", "The request body hash does not match.");
        }

        var canonical = $"{r.Method}\n{canonicalPath}\n\n{string.Concat(signed.Select(h => h + ":" + r.Headers[h].Trim() + "\n"))}\n{parts["SignedHeaders"]}\n{bodyHash}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{date}\n{scope[1]}/{scope[2]}/{scope[3]}/aws4_request\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + Secret), scope[1]);
        key = Hmac(key, scope[2]);
        key = Hmac(key, scope[3]);
        key = Hmac(key, "aws4_request");
        var expected = Convert.ToHexStringLower(Hmac(key, stringToSign));
        if (scope[2] != Region || scope[3] != "bedrock" || !signed.Contains("host") || !signed.Contains("x-amz-date") || parts["Signature"] != expected)
        {
            return ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided.");
        }

        return null;
    }

    public static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    public static JsonElement Body(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement;

    public static Task WriteConverseAsync(HttpContext c, object[] content, string stopReason = "end_turn", object? usage = null)
    {
        c.Response.Headers["x-amzn-RequestId"] = "4b7e1a2c-0000-4000-8000-000000000001";
        return c.Response.WriteAsJsonAsync(new
        {
            output = new { message = new { role = "assistant", content } },
            stopReason,
            usage = usage ?? Usage(10, 5),
            metrics = new { latencyMs = 120 },
        });
    }

    public static object Usage(int input, int output, int cacheRead = 0, int cacheWrite = 0)
        => new { inputTokens = input, outputTokens = output, totalTokens = input + output + cacheRead + cacheWrite, cacheReadInputTokens = cacheRead, cacheWriteInputTokens = cacheWrite };

    public static async Task WriteErrorAsync(HttpContext c, int status, string type, string message, string? retryAfter = null)
    {
        c.Response.StatusCode = status;
        c.Response.Headers["x-amzn-ErrorType"] = type + ":http://internal.amazon.com/coral/com.amazon.bedrock/";
        if (retryAfter is not null)
        {
            c.Response.Headers.RetryAfter = retryAfter;
        }

        await c.Response.WriteAsJsonAsync(new { message });
    }

    /// <summary>One event-stream message: prelude (lengths, CRC32), string headers, payload, message CRC32.</summary>
    public static byte[] Frame(IReadOnlyList<(string Name, string Value)> headers, byte[] payload)
    {
        var h = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            var n = Encoding.UTF8.GetBytes(name);
            var v = Encoding.UTF8.GetBytes(value);
            h.WriteByte((byte)n.Length);
            h.Write(n);
            h.WriteByte(7);
            h.WriteByte((byte)(v.Length >> 8));
            h.WriteByte((byte)v.Length);
            h.Write(v);
        }

        var headerBytes = h.ToArray();
        var total = 12 + headerBytes.Length + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message, 12);
        payload.CopyTo(message, 12 + headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;
    }

    public static byte[] Event(string type, object payload)
        => Frame([(":event-type", type), (":content-type", "application/json"), (":message-type", "event")], JsonSerializer.SerializeToUtf8Bytes(payload));

    public static byte[] Exception(string type, string message)
        => Frame([(":exception-type", type), (":content-type", "application/json"), (":message-type", "exception")], JsonSerializer.SerializeToUtf8Bytes(new { message }));

    public static async Task WriteStreamAsync(HttpContext c, params byte[][] frames)
    {
        c.Response.ContentType = "application/vnd.amazon.eventstream";
        c.Response.Headers["x-amzn-RequestId"] = "4b7e1a2c-0000-4000-8000-000000000002";
        foreach (var frame in frames)
        {
            await c.Response.Body.WriteAsync(frame);
            await c.Response.Body.FlushAsync();
        }
    }
}
