using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy.Journal;

/// <summary>The journal's writer role, held by one thread at a time: one write (and fsync when asked) per group of pending records.</summary>
public sealed partial class SpendJournal
{
    /// <summary>Rounds one writer takes before handing the rest to the thread pool, so no request writes for long.</summary>
    private const int MaxRounds = 4;

    // owned by the current writer (one at a time: whoever set _writing under the lock), and by Dispose once all ended
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _json;
    private readonly List<JournalSegment> _sealed = [];
    private JournalSegment? _active;
    private long _nextSequence;
    private bool _failing;

    /// <summary>Writes pending groups (and a requested checkpoint) until nothing is pending, then lets go of the writer's role.</summary>
    private void Lead()
    {
        for (var round = 0; ; round++)
        {
            List<SpendRecord>? batch = null;
            TaskCompletionSource<JournalSegment?>? group = null;
            bool checkpoint;
            lock (_gate)
            {
                if (_pending.Count == 0 && !_checkpointRequested)
                {
                    _writing = false;
                    if (_closing)
                    {
                        _closed.TrySetResult();
                    }

                    return;
                }

                if (round == MaxRounds)
                {
                    // more keeps arriving: a pool thread takes the writer's role over, and this request goes on
                    ThreadPool.UnsafeQueueUserWorkItem(static j => j.Lead(), this, preferLocal: false);
                    return;
                }

                if (_pending.Count > 0)
                {
                    batch = _pending;
                    _pending = _spare;
                    _spare = batch;
                    group = _group;
                    _group = NewGroup();
                }

                checkpoint = _checkpointRequested;
                _checkpointRequested = false;
            }

            if (batch is not null)
            {
                JournalSegment? segment;
                try
                {
                    segment = WriteGroup(batch);
                }
                catch (Exception e)
                {
                    // never leave the writer's role taken with appends waiting: they complete as not journaled
                    LogWriteFailed(_logger, e, Directory, batch.Count);
                    segment = null;
                }

                batch.Clear();
                group!.SetResult(segment);
            }

            if (checkpoint)
            {
                DeleteCommitted();
            }
        }
    }

    private JournalSegment? WriteGroup(List<SpendRecord> batch)
    {
        var buffer = _buffer;
        buffer.ResetWrittenCount();
        foreach (var record in batch)
        {
            JournalFrames.Write(buffer, _json, record);
        }

        try
        {
            var segment = _active ??= CreateSegment();
            segment.File!.Write(buffer.WrittenSpan);
            if (_fsync)
            {
                segment.File.Flush(flushToDisk: true);
            }

            segment.Appended += batch.Count;
            segment.Length += buffer.WrittenCount;
            if (segment.Length >= _segmentBytes)
            {
                Seal(segment);
            }

            if (_failing)
            {
                _failing = false;
                LogWriteRecovered(_logger, Directory);
            }

            return segment;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_failing)
            {
                _failing = true;
                LogWriteFailed(_logger, e, Directory, batch.Count);
            }

            if (_active is { } broken)
            {
                Seal(broken); // a half-written frame ends this file: the next group starts a new one
            }

            return null;
        }
    }

    private JournalSegment CreateSegment()
    {
        var segment = new JournalSegment(_nextSequence, Path.Combine(Directory, JournalSegment.FileName(_nextSequence)));
        _nextSequence++;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(segment.Path, options);
        try
        {
            file.Write(JournalFrames.Magic);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        segment.File = file;
        segment.Length = JournalFrames.HeaderLength;
        return segment;
    }

    private void Seal(JournalSegment segment)
    {
        segment.File?.Dispose();
        segment.File = null;
        _sealed.Add(segment);
        _active = null;
    }

    /// <summary>Deletes every segment (sealed or active) whose records the store has all committed.</summary>
    private void DeleteCommitted()
    {
        for (var i = _sealed.Count - 1; i >= 0; i--)
        {
            if (_sealed[i].Committed >= _sealed[i].Appended && TryDelete(_sealed[i].Path))
            {
                _sealed.RemoveAt(i);
            }
        }

        if (_active is { } active && active.Committed >= active.Appended)
        {
            active.File?.Dispose();
            active.File = null;
            _active = null;
            if (!TryDelete(active.Path))
            {
                _sealed.Add(active);
            }
        }
    }

    private bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(_logger, e, path);
            return false;
        }
    }
}
