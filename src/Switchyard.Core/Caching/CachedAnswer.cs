using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Core.Caching;

/// <summary>
/// A cached answer in the caller's protocol: a whole JSON body, or a completed SSE stream as its bytes; with when it
/// was stored and which deployment answered it first. <see cref="Serialize"/> is its form in Redis.
/// </summary>
public sealed record CachedAnswer(CachedAnswerKind Kind, ReadOnlyMemory<byte> Body, DateTimeOffset StoredAt, string Deployment)
{
    private const byte FormatVersion = 1;

    /// <summary>What the entry costs the local cache's byte bound.</summary>
    public long Size => Body.Length + Deployment.Length * 2 + 64;

    public byte[] Serialize()
    {
        var deployment = Encoding.UTF8.GetBytes(Deployment);
        var bytes = new byte[1 + 1 + 8 + 2 + deployment.Length + Body.Length];
        bytes[0] = FormatVersion;
        bytes[1] = (byte)Kind;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(2), StoredAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), (ushort)deployment.Length);
        deployment.CopyTo(bytes.AsSpan(12));
        Body.Span.CopyTo(bytes.AsSpan(12 + deployment.Length));
        return bytes;
    }

    /// <summary>The answer, or null for bytes this version did not write (an entry from another version is a miss).</summary>
    public static CachedAnswer? Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < 12 || span[0] != FormatVersion || span[1] > (byte)CachedAnswerKind.Stream)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[10..]);
        if (span.Length < 12 + length)
        {
            return null;
        }

        var stored = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[2..]));
        return new CachedAnswer((CachedAnswerKind)span[1], bytes[(12 + length)..], stored, Encoding.UTF8.GetString(span.Slice(12, length)));
    }
}

/// <summary>The shape a cached answer was stored in.</summary>
public enum CachedAnswerKind : byte
{
    /// <summary>A whole JSON answer (what a non-streamed call returned).</summary>
    Whole = 0,

    /// <summary>A streamed answer's SSE bytes, from its first event to its last (completed streams only).</summary>
    Stream = 1,
}
