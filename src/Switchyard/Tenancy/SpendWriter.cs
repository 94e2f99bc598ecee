using System.Threading.Channels;
using Switchyard.Core.Tenancy;

namespace Switchyard.Tenancy;

/// <summary>
/// Writes spend logs off the hot path: requests enqueue a record (no I/O); a background loop writes batches at most
/// one flush interval apart. Stopping drains the queue, so a clean shutdown loses nothing; a crash loses at most the
/// records of the last flush interval.
/// </summary>
public sealed partial class SpendWriter(IGatewayStore store, TimeSpan flushInterval, int batchSize, TimeProvider time, ILogger<SpendWriter> logger) : BackgroundService
{
    private readonly Channel<SpendRecord> _queue = Channel.CreateUnbounded<SpendRecord>(new UnboundedChannelOptions { SingleReader = true });
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public void Enqueue(SpendRecord record) => _queue.Writer.TryWrite(record);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<SpendRecord>(batchSize);
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
        _queue.Writer.TryComplete();
        await DrainAsync(new List<SpendRecord>(batchSize), CancellationToken.None);
    }

    /// <summary>Writes everything queued now (used by shutdown and tests).</summary>
    public Task FlushAsync() => DrainAsync(new List<SpendRecord>(batchSize), CancellationToken.None);

    private readonly SemaphoreSlim _drain = new(1, 1);

    private async Task DrainAsync(List<SpendRecord> batch, CancellationToken ct)
    {
        await _drain.WaitAsync(ct);
        try
        {
            while (true)
            {
                batch.Clear();
                while (batch.Count < batchSize && _queue.Reader.TryRead(out var r))
                {
                    batch.Add(r);
                }

                if (batch.Count == 0)
                {
                    return;
                }

                try
                {
                    await store.AppendSpendAsync(batch, ct);
                    Interlocked.Add(ref _written, batch.Count);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(logger, e, batch.Count);
                    foreach (var r in batch)
                    {
                        _queue.Writer.TryWrite(r); // keep them for the next round
                    }

                    return;
                }
            }
        }
        finally
        {
            _drain.Release();
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "writing {Count} spend records failed; they stay queued")]
    private static partial void LogWriteFailed(ILogger logger, Exception e, int count);
}
