using Switchyard.Core.Tenancy;
using Switchyard.Hosting;

namespace Switchyard.Tenancy;

/// <summary>
/// With a shared store (PostgreSQL), keeps this replica's keys, tenants and stored deployments in line with what every replica writes:
/// it waits for the store's change notification (LISTEN/NOTIFY: near-immediate) but never longer than
/// switchyard.shared.key_refresh, then reloads when the directory version moved. So a key created, revoked or rotated
/// elsewhere is honoured here within key_refresh even when a notification is lost. Requests never wait for it.
/// </summary>
public sealed partial class DirectoryRefresher(TenancyService tenancy, GatewayState state, Deployments.StoredModelService models, TimeProvider time, ILogger<DirectoryRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (tenancy.Store is not ISharedGatewayStore shared)
        {
            return;
        }

        var listenFailing = false;
        var refreshFailing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var every = state.Current.Config.Shared.KeyRefresh;
            try
            {
                await shared.WaitForDirectoryChangeAsync(every, stoppingToken);
                listenFailing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!listenFailing)
                {
                    LogListenFailed(logger, e, every.TotalSeconds);
                }

                listenFailing = true;
                if (!await DelayAsync(every, stoppingToken))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await tenancy.RefreshIfChangedAsync(stoppingToken);
                await models.RefreshIfChangedAsync(stoppingToken);
                if (refreshFailing)
                {
                    LogRefreshRecovered(logger);
                }

                refreshFailing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                if (!refreshFailing)
                {
                    LogRefreshFailed(logger, e);
                }

                refreshFailing = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, time, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "listening for key changes in the shared store failed; polling every {Seconds} s instead")]
    private static partial void LogListenFailed(ILogger logger, Exception e, double seconds);

    [LoggerMessage(EventId = 45, Level = LogLevel.Error, Message = "reloading keys and tenants from the shared store failed; this replica keeps the ones it has and retries")]
    private static partial void LogRefreshFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 46, Level = LogLevel.Information, Message = "reloading keys and tenants from the shared store works again")]
    private static partial void LogRefreshRecovered(ILogger logger);
}
