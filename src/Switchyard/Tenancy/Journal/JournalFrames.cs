using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy.Journal;

/// <summary>
/// The journal's file format. A segment starts with the 8-byte magic <c>SWYSPND1</c>; then frames, each
/// <c>[payload length: u32 LE][CRC-32 of the payload: u32 LE][payload: one spend record as UTF-8 JSON]</c>.
/// A frame whose length runs past the end of the file, whose CRC does not match or whose JSON does not read is where a
/// torn (or corrupted) tail starts: reading stops there.
/// </summary>
internal static class JournalFrames
{
    public const int HeaderLength = 8;
    public const int FrameHeaderLength = 8;

    /// <summary>A record is a few hundred bytes; a length past this is corruption, not a record.</summary>
    public const int MaxPayload = 1 << 20;

    public static ReadOnlySpan<byte> Magic => "SWYSPND1"u8;

    /// <summary>Appends one frame for <paramref name="record"/> to <paramref name="buffer"/>.</summary>
    public static void Write(ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, SpendRecord record)
    {
        var start = buffer.WrittenCount;
        buffer.GetSpan(FrameHeaderLength);
        buffer.Advance(FrameHeaderLength);
        json.Reset(buffer);
        JsonSerializer.Serialize(json, record, JournalJson.Default.SpendRecord);
        json.Flush();
        var frame = MemoryMarshal.AsMemory(buffer.WrittenMemory[start..]).Span;
        var payload = frame[FrameHeaderLength..];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[4..], Crc32.HashToUInt32(payload));
    }

    /// <summary>What a segment holds: the records of its whole frames, and where a torn or corrupt tail starts (if any).</summary>
    public readonly record struct ReadResult(List<SpendRecord> Records, long? TornAt, long Length, string? Reason);

    public static ReadResult Read(ReadOnlySpan<byte> file)
    {
        var records = new List<SpendRecord>();
        if (file.Length < HeaderLength)
        {
            // a segment is created with its header in one write; shorter means the process died creating it
            return new ReadResult(records, file.Length == 0 ? null : 0, file.Length, file.Length == 0 ? null : "short header");
        }

        if (!file[..HeaderLength].SequenceEqual(Magic))
        {
            return new ReadResult(records, 0, file.Length, "not a spend journal segment (bad magic)");
        }

        var offset = HeaderLength;
        while (offset < file.Length)
        {
            var rest = file[offset..];
            if (rest.Length < FrameHeaderLength)
            {
                return new ReadResult(records, offset, file.Length, "incomplete frame header");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            if (length == 0 || length > MaxPayload || length > rest.Length - FrameHeaderLength)
            {
                return new ReadResult(records, offset, file.Length, length > rest.Length - FrameHeaderLength ? "incomplete frame" : "bad frame length");
            }

            var payload = rest.Slice(FrameHeaderLength, (int)length);
            if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]))
            {
                return new ReadResult(records, offset, file.Length, "CRC mismatch");
            }

            SpendRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(payload, JournalJson.Default.SpendRecord);
            }
            catch (JsonException)
            {
                record = null;
            }

            if (record is null)
            {
                return new ReadResult(records, offset, file.Length, "unreadable record");
            }

            records.Add(record);
            offset += FrameHeaderLength + (int)length;
        }

        return new ReadResult(records, null, file.Length, null);
    }
}
