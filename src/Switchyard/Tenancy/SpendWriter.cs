using System.Threading.Channels;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy.Journal;

namespace Switchyard.Tenancy;

/// <summary>
/// Writes spend logs off the hot path. A request's record is first appended to the local spend journal (one write per
/// group of concurrent requests, see <see cref="SpendJournal"/>): that is what acknowledges it, and what makes it
/// survive a kill -9. A background loop then writes batches to the store at most one flush interval apart, and tells
/// the journal what the store committed so that fully written segments are deleted. At start the journal's leftovers
/// are replayed into the store (<see cref="OpenJournalAsync"/>); stopping drains the queue.
/// </summary>
public sealed partial class SpendWriter(IGatewayStore store, TimeSpan flushInterval, int batchSize, TimeProvider time, ILogger<SpendWriter> logger, SpendJournalOptions? journal = null)
    : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _drain = new(1, 1);
    private SpendJournal? _journal;
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    /// <summary>The open journal (null before <see cref="OpenJournalAsync"/>, or when none is configured).</summary>
    public SpendJournal? Journal => Volatile.Read(ref _journal);

    /// <summary>
    /// Locks the journal directory, replays what a previous process left into the store, then journals every record
    /// from here on. Runs at start, after the store is initialised and before keys and tenants (and their running
    /// spend) are loaded.
    /// </summary>
    public async Task OpenJournalAsync(CancellationToken ct)
    {
        if (journal is null || _journal is not null)
        {
            return;
        }

        var opened = (SpendJournal?)SpendJournal.Open(journal.Root, journal.StoreId, journal.Fsync, logger);
        try
        {
            await opened!.ReplayAsync(store.AppendSpendAsync, batchSize, ct);
            Volatile.Write(ref _journal, opened);
            opened = null; // the writer owns it
        }
        finally
        {
            opened?.Dispose();
        }
    }

    /// <summary>Acknowledges a record: completes once it is in the journal, and queues it for the store.</summary>
    public async ValueTask AppendAsync(SpendRecord record)
    {
        var segment = Volatile.Read(ref _journal) is { } j ? await j.AppendAsync(record).ConfigureAwait(false) : null;
        _queue.Writer.TryWrite(new Pending(record, segment));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(batchSize);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _queue.Reader.WaitToReadAsync(stoppingToken);
                await Task.Delay(flushInterval, time, stoppingToken);
                await DrainAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Journal is { } j)
        {
            await j.CompleteAsync(); // the server has stopped: whatever requests appended is written now
        }

        _queue.Writer.TryComplete();
        await DrainAsync(new List<Pending>(batchSize), CancellationToken.None);
        Journal?.Dispose(); // deletes the committed segments (all of them unless the store failed) and unlocks
    }

    public override void Dispose()
    {
        Journal?.Dispose();
        base.Dispose();
    }

    /// <summary>Writes everything queued now (used by /spend/logs and tests).</summary>
    public Task FlushAsync() => DrainAsync(new List<Pending>(batchSize), CancellationToken.None);

    private async Task DrainAsync(List<Pending> batch, CancellationToken ct)
    {
        await _drain.WaitAsync(ct);
        try
        {
            var records = new List<SpendRecord>(batchSize);
            while (true)
            {
                batch.Clear();
                records.Clear();
                while (batch.Count < batchSize && _queue.Reader.TryRead(out var p))
                {
                    batch.Add(p);
                    records.Add(p.Record);
                }

                if (batch.Count == 0)
                {
                    Journal?.RequestCheckpoint();
                    return;
                }

                try
                {
                    await store.AppendSpendAsync(records, ct);
                    Interlocked.Add(ref _written, batch.Count);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(logger, e, batch.Count);
                    foreach (var p in batch)
                    {
                        _queue.Writer.TryWrite(p); // keep them for the next round (the journal keeps them too)
                    }

                    return;
                }

                MarkCommitted(batch);
            }
        }
        finally
        {
            _drain.Release();
        }
    }

    /// <summary>Tells each record's segment that the store has it (one call per run of records from one segment).</summary>
    private static void MarkCommitted(List<Pending> batch)
    {
        JournalSegment? current = null;
        var run = 0;
        foreach (var p in batch)
        {
            if (p.Segment != current)
            {
                current?.MarkCommitted(run);
                current = p.Segment;
                run = 0;
            }

            run++;
        }

        current?.MarkCommitted(run);
    }

    private readonly record struct Pending(SpendRecord Record, JournalSegment? Segment);

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "writing {Count} spend records failed; they stay queued")]
    private static partial void LogWriteFailed(ILogger logger, Exception e, int count);
}
