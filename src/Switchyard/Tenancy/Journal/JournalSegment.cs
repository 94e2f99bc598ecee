namespace Switchyard.Tenancy.Journal;

/// <summary>
/// One journal file: records are appended by the journal's writer; the spend writer counts them committed once the
/// store has them. A segment that is sealed (or idle) and fully committed is deleted.
/// </summary>
public sealed class JournalSegment
{
    private long _committed;

    internal JournalSegment(long sequence, string path)
    {
        Sequence = sequence;
        Path = path;
    }

    public long Sequence { get; }

    public string Path { get; }

    /// <summary>Records written to the file (the journal's writer alone changes it).</summary>
    internal long Appended { get; set; }

    /// <summary>Bytes written to the file, header included.</summary>
    internal long Length { get; set; }

    internal FileStream? File { get; set; }

    internal long Committed => Interlocked.Read(ref _committed);

    internal bool FullyCommitted => Appended > 0 && Committed == Appended;

    /// <summary>Called by the spend writer once the store committed <paramref name="count"/> of this segment's records.</summary>
    public void MarkCommitted(int count) => Interlocked.Add(ref _committed, count);

    public static string FileName(long sequence) => $"spend-{sequence:D16}.journal";

    public static bool TryParseSequence(string fileName, out long sequence)
    {
        sequence = 0;
        return fileName.StartsWith("spend-", StringComparison.Ordinal) && fileName.EndsWith(".journal", StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(6, fileName.Length - 6 - 8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence);
    }
}
