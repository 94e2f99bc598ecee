using System.Globalization;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy.Journal;

/// <summary>
/// Opening a journal: the root directory belongs to one store (<c>store-id</c>); each process locks a slot of its own
/// (<c>0/</c>, <c>1/</c>, ...: replicas on one host sharing the root never share a file) and replays what a previous
/// process left, in its own slot and in every slot no running process holds.
/// </summary>
public sealed partial class SpendJournal
{
    /// <summary>How many processes can share one journal root.</summary>
    public const int MaxSlots = 64;

    public const string StoreIdFileName = "store-id";

    /// <summary>
    /// Creates the root if needed (0700), checks that it belongs to <paramref name="storeId"/>, locks the first free
    /// slot and lists the segments a previous process left there. Throws <see cref="InvalidOperationException"/> when
    /// the root belongs to another store or every slot is held.
    /// </summary>
    public static SpendJournal Open(string root, string storeId, bool fsync, ILogger logger, long segmentBytes = DefaultSegmentBytes)
    {
        root = Path.GetFullPath(root);
        CreatePrivateDirectory(root);
        CheckStoreId(root, storeId);
        for (var slot = 0; slot < MaxSlots; slot++)
        {
            var directory = Path.Combine(root, slot.ToString(CultureInfo.InvariantCulture));
            CreatePrivateDirectory(directory);
            var lockFile = TryLock(directory);
            if (lockFile is null)
            {
                continue;
            }

            try
            {
                var leftover = Segments(directory);
                var next = leftover.Count == 0 ? 1 : leftover.Keys[^1] + 1;
                var journal = new SpendJournal(root, directory, lockFile, [.. leftover.Values], next, fsync, segmentBytes, logger);
                lockFile = null; // the journal owns it
                return journal;
            }
            finally
            {
                lockFile?.Dispose();
            }
        }

        throw new InvalidOperationException($"the spend journal {root} has all its {MaxSlots} slots locked by running Switchyard processes");
    }

    /// <summary>
    /// The default root: next to the SQLite file (<c>&lt;file&gt;.spend-journal</c>); with PostgreSQL,
    /// <c>~/.switchyard/spend-journal/&lt;store id&gt;</c>, so gateways of different databases on one host never meet.
    /// </summary>
    public static string DefaultRoot(string? postgresStoreId, string sqlitePath)
        => postgresStoreId is not null
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".switchyard", "spend-journal", postgresStoreId)
            : Path.GetFullPath(sqlitePath) + ".spend-journal";

    /// <summary>
    /// Writes every record of the segments a previous process left to the store (in batches; the store skips request
    /// ids it has), deleting each segment once written: first this process's slot, then every other slot that no running
    /// process holds. A torn or corrupt tail is skipped with a warning. Returns the records replayed.
    /// </summary>
    public async Task<int> ReplayAsync(Func<IReadOnlyList<SpendRecord>, CancellationToken, Task> store, int batchSize, CancellationToken ct)
    {
        var total = await ReplaySegmentsAsync(_leftover, store, batchSize, ct);
        var segments = _leftover.Count;
        _leftover = [];
        foreach (var other in System.IO.Directory.EnumerateDirectories(Root))
        {
            if (string.Equals(other, Directory, StringComparison.Ordinal) || !int.TryParse(Path.GetFileName(other), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                || Segments(other).Count == 0)
            {
                continue;
            }

            using var held = TryLock(other);
            if (held is null)
            {
                continue; // a running process's slot
            }

            var orphaned = Segments(other).Values;
            total += await ReplaySegmentsAsync(orphaned, store, batchSize, ct);
            segments += orphaned.Count;
        }

        if (segments > 0)
        {
            LogReplayed(_logger, total, segments, Root);
        }

        return total;
    }

    private async Task<int> ReplaySegmentsAsync(IEnumerable<string> paths, Func<IReadOnlyList<SpendRecord>, CancellationToken, Task> store, int batchSize, CancellationToken ct)
    {
        var total = 0;
        foreach (var path in paths)
        {
            var result = JournalFrames.Read(await File.ReadAllBytesAsync(path, ct));
            if (result.TornAt is { } at)
            {
                LogTornTail(_logger, path, at, result.Length - at, result.Reason!, result.Records.Count);
            }

            for (var i = 0; i < result.Records.Count; i += batchSize)
            {
                await store(result.Records.GetRange(i, Math.Min(batchSize, result.Records.Count - i)), ct);
            }

            File.Delete(path);
            total += result.Records.Count;
        }

        return total;
    }

    private static SortedList<long, string> Segments(string directory)
    {
        var segments = new SortedList<long, string>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            if (JournalSegment.TryParseSequence(Path.GetFileName(path), out var sequence))
            {
                segments.Add(sequence, path);
            }
        }

        return segments;
    }

    /// <summary>A journal root holds records for one store only: replaying them into another would bill the wrong database.</summary>
    private static void CheckStoreId(string root, string storeId)
    {
        var path = Path.Combine(root, StoreIdFileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (!string.Equals(existing, storeId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"the spend journal {root} belongs to another store ({StoreIdFileName} {existing}, this store is {storeId}); point switchyard.spend.journal at a directory of its own");
            }

            return;
        }

        var temp = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temp, storeId + "\n");
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The slot's lock: held by the kernel for this process (flock), so it is released when the process dies.</summary>
    private static FileStream? TryLock(string directory)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream? file = null;
        try
        {
            file = new FileStream(Path.Combine(directory, LockFileName), options);
            file.SetLength(0);
            file.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n")); // who holds it, for whoever looks
            var held = file;
            file = null;
            return held;
        }
        catch (IOException)
        {
            return null; // held by another process (or this one's other journal)
        }
        finally
        {
            file?.Dispose();
        }
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
