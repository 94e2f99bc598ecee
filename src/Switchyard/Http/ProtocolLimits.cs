using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Switchyard.Core.Failures;

namespace Switchyard.Http;

/// <summary>
/// The request-line and header limits, enforced by the gateway so that a request over them gets a 414 or 431 failure
/// summary with a correlation id. Kestrel answers its own limits with an empty body, so its limits are set
/// <see cref="KestrelHeadroom"/> times higher: only requests far past the gateway's limits still meet Kestrel's answer
/// (see docs/failure-contract.md).
/// </summary>
public static class ProtocolLimits
{
    /// <summary>Longest request line (method, target, version), as Kestrel's default.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>Largest header block (names, values, separators), as Kestrel's default.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Most header fields, as Kestrel's default.</summary>
    public const int MaxHeaderCount = 100;

    public const int KestrelHeadroom = 4;

    public static void Apply(KestrelServerLimits limits)
    {
        limits.MaxRequestLineSize = MaxRequestLineBytes * KestrelHeadroom;
        limits.MaxRequestHeadersTotalSize = MaxHeaderBytes * KestrelHeadroom;
        limits.MaxRequestHeaderCount = MaxHeaderCount * KestrelHeadroom;
    }

    /// <summary>The 414 or 431 summary for a request over the gateway's limits; null when it is within them.</summary>
    public static FailureSummary? Check(HttpContext context)
    {
        var request = context.Request;
        // the target as sent: a redacted token (SecretTargetApplication) is shorter than the one the client sent
        var target = context.Features.Get<RequestSecrets>()?.OriginalTargetLength
            ?? (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "").Length;
        var line = request.Method.Length + 1 + target + 1 + request.Protocol.Length + 2;
        if (line > MaxRequestLineBytes)
        {
            return new FailureSummary
            {
                Status = 414,
                Type = FailureType.InvalidRequest,
                Code = "uri_too_long",
                Message = $"the request line is {line} bytes; the gateway accepts at most {MaxRequestLineBytes}",
            };
        }

        var headers = request.Headers;
        if (headers.Count > MaxHeaderCount)
        {
            return HeadersTooLarge($"{headers.Count} header fields; the gateway accepts at most {MaxHeaderCount}");
        }

        int total = 0, fields = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                fields++; // a repeated header is one field per line, as Kestrel counts them
                total += name.Length + 4 + (value?.Length ?? 0); // "name: value\r\n"
            }
        }

        if (fields > MaxHeaderCount)
        {
            return HeadersTooLarge($"{fields} header fields; the gateway accepts at most {MaxHeaderCount}");
        }

        return total > MaxHeaderBytes ? HeadersTooLarge($"{total} bytes of headers; the gateway accepts at most {MaxHeaderBytes}") : null;
    }

    private static FailureSummary HeadersTooLarge(string what) => new()
    {
        Status = 431,
        Type = FailureType.InvalidRequest,
        Code = "headers_too_large",
        Message = $"the request has {what}",
    };
}
