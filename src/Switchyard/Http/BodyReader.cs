using System.Buffers;
using Switchyard.Core.Failures;

namespace Switchyard.Http;

/// <summary>Reads a request body whole, refusing it with a 413 summary past the configured size.</summary>
public static class BodyReader
{
    public static async ValueTask<(byte[]? Body, int Length, FailureSummary? Failure)> ReadAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength is { } declared && declared > maxBytes)
        {
            return (null, 0, TooLarge(maxBytes));
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (null, 0, TooLarge(maxBytes));
            }

            if (result.IsCompleted)
            {
                var length = (int)buffer.Length;
                var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                buffer.CopyTo(bytes);
                reader.AdvanceTo(buffer.End);
                return (bytes, length, null);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static FailureSummary TooLarge(long max) => new()
    {
        Status = 413,
        Type = FailureType.PayloadTooLarge,
        Code = "body_too_large",
        Message = $"the request body is larger than the gateway accepts ({max} bytes; switchyard.server.max_body_bytes)",
    };
}
