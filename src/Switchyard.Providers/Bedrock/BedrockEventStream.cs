using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Switchyard.Providers.Bedrock;

/// <summary>One message of the AWS event stream: its string headers and its payload.</summary>
internal sealed record EventStreamMessage(IReadOnlyDictionary<string, string> Headers, byte[] Payload)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>The event stream broke its framing (a CRC mismatch, a bad length, a message cut off).</summary>
internal sealed class EventStreamFormatException(string message) : Abstractions.StreamFormatException(message);

/// <summary>
/// Reads the AWS event-stream framing ConverseStream answers in (<c>application/vnd.amazon.eventstream</c>): each
/// message is a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), the headers (name length,
/// name, type, value), the payload and a CRC32 of everything before it. A CRC mismatch, an impossible length or a
/// stream that ends inside a message is an <see cref="EventStreamFormatException"/>; a stream that ends between
/// messages ends the enumeration. Disposing it leaves <paramref name="stream"/> to its owner (the response).
/// </summary>
internal sealed class BedrockEventStream(Stream stream, CancellationToken cancellationToken) : IAsyncEnumerator<EventStreamMessage>
{
    private const int MaxMessage = 16 * 1024 * 1024;

    /// <summary>The message <see cref="MoveNextAsync"/> read last.</summary>
    public EventStreamMessage Current { get; private set; } = null!;

    /// <summary>Reads the next message into <see cref="Current"/>; false when the stream ended cleanly between messages.</summary>
    public async ValueTask<bool> MoveNextAsync()
    {
        var prelude = new byte[12];
        var got = await FillAsync(prelude, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return false;
        }

        if (got < prelude.Length)
        {
            throw new EventStreamFormatException("the stream ended inside a message prelude");
        }

        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(4));
        if (Crc32.HashToUInt32(prelude.AsSpan(0, 8)) != BinaryPrimitives.ReadUInt32BigEndian(prelude.AsSpan(8)))
        {
            throw new EventStreamFormatException("a message prelude failed its CRC32 check");
        }

        if (total < 16 || total > MaxMessage || headersLength > total - 16)
        {
            throw new EventStreamFormatException($"a message declares impossible lengths (total {total}, headers {headersLength})");
        }

        var message = new byte[total];
        prelude.CopyTo(message, 0);
        if (await FillAsync(message.AsMemory(12), cancellationToken).ConfigureAwait(false) < total - 12)
        {
            throw new EventStreamFormatException("the stream ended inside a message");
        }

        if (Crc32.HashToUInt32(message.AsSpan(0, (int)total - 4)) != BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan((int)total - 4)))
        {
            throw new EventStreamFormatException("a message failed its CRC32 check");
        }

        var headers = Headers(message.AsSpan(12, (int)headersLength));
        Current = new EventStreamMessage(headers, message.AsSpan(12 + (int)headersLength, (int)(total - headersLength - 16)).ToArray());
        return true;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static Dictionary<string, string> Headers(ReadOnlySpan<byte> span)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!span.IsEmpty)
        {
            var nameLength = span[0];
            if (span.Length < 2 + nameLength)
            {
                throw new EventStreamFormatException("a header runs past its message");
            }

            var name = Encoding.UTF8.GetString(span.Slice(1, nameLength));
            var type = span[1 + nameLength];
            span = span[(2 + nameLength)..];
            var skip = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 => span.Length >= 2 ? 2 + BinaryPrimitives.ReadUInt16BigEndian(span) : int.MaxValue,
                _ => throw new EventStreamFormatException($"a header has unknown value type {type}"),
            };
            if (skip > span.Length)
            {
                throw new EventStreamFormatException("a header value runs past its message");
            }

            if (type == 7)
            {
                headers[name] = Encoding.UTF8.GetString(span[2..skip]);
            }

            span = span[skip..];
        }

        return headers;
    }

    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }
}
