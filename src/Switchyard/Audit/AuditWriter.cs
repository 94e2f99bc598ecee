using System.Threading.Channels;
using Switchyard.Core.Audit;
using Switchyard.Core.Tenancy;

namespace Switchyard.Audit;

/// <summary>
/// Writes audit rows off the request path, like <see cref="Tenancy.SpendWriter"/>: a bounded queue drained in batches
/// at most one flush interval apart; a failed write keeps its rows for the next round, and stopping drains the queue
/// (the server stops taking requests first), so a clean shutdown loses no row. A queue full of unwritten rows (the store
/// down for long under a flood of admin calls) drops new rows and says so in the log.
/// </summary>
public sealed partial class AuditWriter(IGatewayStore store, TimeSpan flushInterval, TimeProvider time, ILogger<AuditWriter> logger) : BackgroundService
{
    public const int Capacity = 10_000;
    private const int BatchSize = 500;

    private readonly Channel<AuditRecord> _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _drain = new(1, 1);
    private readonly List<AuditRecord> _retry = [];
    private readonly string _instance = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)); // replicas never collide
    private long _sequence;
    private long _dropped;

    /// <summary>Rows dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>A unique id that sorts by time, then (within one process) by order of creation.</summary>
    public string NextId(DateTimeOffset at)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{at.ToUnixTimeMilliseconds():x12}{_instance}{Interlocked.Increment(ref _sequence) & 0xffffffff:x8}");

    /// <summary>
    /// Rows without an actor (the caller showed no valid token) a replica keeps per minute. Anyone can send those, so
    /// past this many they are counted, not stored: a flood of bad tokens cannot fill the store, and the next row kept
    /// says how many were left out before it.
    /// </summary>
    public const int UnauthenticatedPerMinute = 60;

    private readonly Lock _anonymous = new();
    private long _anonymousMinute = -1;
    private int _anonymousKept;
    private long _anonymousSkipped;

    /// <summary>Rows of unauthenticated refusals left out past <see cref="UnauthenticatedPerMinute"/>.</summary>
    public long SkippedUnauthenticated { get; private set; }

    public void Enqueue(AuditRecord record)
    {
        if (record.Actor is null)
        {
            if (Admit(record) is not { } kept)
            {
                return;
            }

            record = kept;
        }

        if (!_queue.Writer.TryWrite(record) && Interlocked.Increment(ref _dropped) is var n && (n & (n - 1)) == 0)
        {
            LogDropped(logger, n, record.Action);
        }
    }

    /// <summary>The row to keep for an unauthenticated refusal, naming how many were skipped before it; null past the cap.</summary>
    private AuditRecord? Admit(AuditRecord record)
    {
        var minute = record.Time.ToUnixTimeMilliseconds() / 60_000;
        lock (_anonymous)
        {
            if (minute != _anonymousMinute)
            {
                (_anonymousMinute, _anonymousKept) = (minute, 0);
            }

            if (_anonymousKept >= UnauthenticatedPerMinute)
            {
                _anonymousSkipped++;
                SkippedUnauthenticated++;
                return null;
            }

            _anonymousKept++;
            if (_anonymousSkipped == 0)
            {
                return record;
            }

            var note = $"{_anonymousSkipped} unauthenticated refusals before this one were not recorded (more than {UnauthenticatedPerMinute} a minute)";
            _anonymousSkipped = 0;
            return record with { Detail = record.Detail is { Length: > 0 } d ? d + "; " + note : note };
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _queue.Reader.WaitToReadAsync(stoppingToken);
                await Task.Delay(flushInterval, time, stoppingToken);
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _queue.Writer.TryComplete();
        await FlushAsync();
    }

    /// <summary>Writes everything queued now (before /audit/log reads, and at stop).</summary>
    public async Task FlushAsync()
    {
        await _drain.WaitAsync();
        try
        {
            while (true)
            {
                var batch = new List<AuditRecord>(_retry);
                _retry.Clear();
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var r))
                {
                    batch.Add(r);
                }

                if (batch.Count == 0)
                {
                    return;
                }

                try
                {
                    await store.AppendAuditAsync(batch, CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(logger, e, batch.Count);
                    _retry.AddRange(batch); // ids make the retry idempotent
                    return;
                }
            }
        }
        finally
        {
            _drain.Release();
        }
    }

    [LoggerMessage(EventId = 35, Level = LogLevel.Error, Message = "writing {Count} audit rows failed; they stay queued")]
    private static partial void LogWriteFailed(ILogger logger, Exception e, int count);

    [LoggerMessage(EventId = 36, Level = LogLevel.Error, Message = "the audit queue is full (the store is not taking writes): {Count} rows dropped so far, the last a {Action}")]
    private static partial void LogDropped(ILogger logger, long count, string action);
}
