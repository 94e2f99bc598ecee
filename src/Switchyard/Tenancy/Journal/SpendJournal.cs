using System.Text.Json;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy.Journal;

/// <summary>
/// The local append-only spend journal: a spend record is acknowledged once it is in a journal file, so a process
/// killed with SIGKILL loses none (a write to the OS page cache survives the process; a machine crash can lose what the
/// OS had not flushed yet, unless <c>fsync</c> is on). The store gets the records in batches as before; a segment whose
/// records the store has all committed is deleted; segments left by a killed process are replayed into the store at
/// start (the store ignores request ids it already has).
/// <para>
/// Appends are group-committed: request threads add their record to a pending list under a lock held for a list add;
/// the thread that finds no write in progress becomes the writer and turns everything pending into one write (and one
/// fsync when asked), completes all of those appends at once, and goes on while more arrived. Each process locks a slot directory of its own under the root (<c>journal.lock</c>), so two processes never
/// share a segment.
/// </para>
/// </summary>
public sealed partial class SpendJournal : IDisposable
{
    /// <summary>A segment is sealed past this size, and deleted once the store has all its records.</summary>
    public const long DefaultSegmentBytes = 4 << 20;

    public const string LockFileName = "journal.lock";

    private static readonly Task<JournalSegment?> NotJournaled = Task.FromResult<JournalSegment?>(null);

    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FileStream _lock;
    private readonly bool _fsync;
    private readonly long _segmentBytes;
    private readonly ILogger _logger;
    private List<SpendRecord> _pending = [];
    private List<SpendRecord> _spare = [];
    private TaskCompletionSource<JournalSegment?> _group = NewGroup();
    private bool _writing;
    private bool _checkpointRequested;
    private bool _closing;
    private IReadOnlyList<string> _leftover;

    private SpendJournal(string root, string directory, FileStream lockFile, IReadOnlyList<string> leftover, long nextSequence, bool fsync, long segmentBytes, ILogger logger)
    {
        Root = root;
        Directory = directory;
        _lock = lockFile;
        _leftover = leftover;
        _nextSequence = nextSequence;
        _fsync = fsync;
        _segmentBytes = segmentBytes;
        _logger = logger;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The journal root (switchyard.spend.journal, or its default).</summary>
    public string Root { get; }

    /// <summary>This process's slot in the root: the directory it locks and writes its segments to.</summary>
    public string Directory { get; }

    /// <summary>Segments a previous process left, oldest first, waiting for <see cref="ReplayAsync"/>.</summary>
    public IReadOnlyList<string> Leftover => _leftover;

    /// <summary>
    /// Appends a record; the task completes once it is written to the journal (with the segment that holds it), or with
    /// null when the journal could not write it (logged) or is closed: the record is then not durable. When no write is
    /// in progress the caller writes (its own record and whatever else is pending) before this returns, so an
    /// uncontended append costs one write and no thread switch; otherwise the record joins the next group.
    /// </summary>
    public Task<JournalSegment?> AppendAsync(SpendRecord record)
    {
        Task<JournalSegment?> written;
        bool lead;
        lock (_gate)
        {
            if (_closing)
            {
                return NotJournaled;
            }

            _pending.Add(record);
            written = _group.Task;
            lead = !_writing;
            _writing = true;
        }

        if (lead)
        {
            Lead();
        }

        return written;
    }

    /// <summary>Deletes the segments whose records the store has all committed (now, or after the write in progress).</summary>
    public void RequestCheckpoint()
    {
        bool lead;
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _checkpointRequested = true;
            lead = !_writing;
            _writing = true;
        }

        if (lead)
        {
            Lead();
        }
    }

    /// <summary>Stops taking appends (later ones complete with null) and completes once everything pending is written.</summary>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _closing = true;
            if (!_writing)
            {
                _closed.TrySetResult(); // nothing pending: whoever writes drains the pending list before letting go
            }
        }

        return _closed.Task;
    }

    /// <summary>
    /// After <see cref="CompleteAsync"/> and the store's last batch: deletes every fully committed segment, keeps the
    /// rest for the next start's replay, and releases the directory lock.
    /// </summary>
    public void Dispose()
    {
        // normally every write has ended already (CompleteAsync); otherwise one group at most is being written
        if (CompleteAsync().Wait(TimeSpan.FromSeconds(10)))
        {
            DeleteCommitted();
        }

        _active?.File?.Dispose();
        foreach (var s in _sealed)
        {
            s.File?.Dispose();
        }

        _json.Dispose();
        _lock.Dispose();
    }

    private static TaskCompletionSource<JournalSegment?> NewGroup() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
