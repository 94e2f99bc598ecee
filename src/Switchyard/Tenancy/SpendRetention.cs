using Switchyard.Core.Tenancy;
using Switchyard.Hosting;

namespace Switchyard.Tenancy;

/// <summary>
/// Deletes spend log rows older than switchyard.spend.retention and stored Responses answers past
/// switchyard.responses.retention, and audit log rows older than switchyard.store.audit_retention, at start and then hourly.
/// </summary>
public sealed partial class SpendRetention(IGatewayStore store, GatewayState state, TimeProvider time, ILogger<SpendRetention> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>One pass; returns the rows deleted.</summary>
    public async Task<int> PruneOnceAsync(CancellationToken ct)
    {
        var responses = await store.PruneResponsesAsync(time.GetUtcNow(), ct);
        if (responses > 0)
        {
            LogResponsesPruned(logger, responses);
        }

        if (state.Current.Config.Store.AuditRetention is { } keepAudit && await store.PruneAuditAsync(time.GetUtcNow() - keepAudit, ct) is > 0 and var audit)
        {
            LogAuditPruned(logger, audit, keepAudit.TotalDays);
        }

        if (state.Current.Config.Store.SpendRetention is not { } retention)
        {
            return 0;
        }

        var deleted = await store.PruneSpendAsync(time.GetUtcNow() - retention, ct);
        if (deleted > 0)
        {
            LogPruned(logger, deleted, retention.TotalDays);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await PruneOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }

                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "deleted {Count} spend log rows older than {Days} days (switchyard.spend.retention)")]
    private static partial void LogPruned(ILogger logger, int count, double days);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "deleted {Count} stored Responses answers past switchyard.responses.retention")]
    private static partial void LogResponsesPruned(ILogger logger, int count);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "deleted {Count} audit log rows older than {Days} days (switchyard.store.audit_retention)")]
    private static partial void LogAuditPruned(ILogger logger, int count, double days);

    [LoggerMessage(EventId = 32, Level = LogLevel.Error, Message = "pruning spend logs failed")]
    private static partial void LogFailed(ILogger logger, Exception e);
}
