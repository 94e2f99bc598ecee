using System.Threading.Channels;
using Switchyard.Core.Alerts;
using Switchyard.Core.Canaries;
using Switchyard.Hosting;

namespace Switchyard.Operations.Canaries;

/// <summary>
/// When a canary breaches its auto_rollback threshold (detected on the request path, where its share drops to 0 at
/// once), raises a <c>canary_rolled_back</c> alert and writes the share of 0 into the config file (comments kept) and
/// reloads, so a restart or a later reload does not bring the canary back. Off the request path.
/// </summary>
public sealed partial class CanaryAutoRollback : BackgroundService
{
    private readonly Channel<CanaryTrip> _trips = Channel.CreateBounded<CanaryTrip>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly ConfigReloader _reloader;
    private readonly AlertService _alerts;
    private readonly TimeProvider _time;
    private readonly ILogger<CanaryAutoRollback> _logger;

    public CanaryAutoRollback(GatewayState state, ConfigReloader reloader, AlertService alerts, TimeProvider time, ILogger<CanaryAutoRollback> logger)
    {
        _reloader = reloader;
        _alerts = alerts;
        _time = time;
        _logger = logger;
        state.States.Canaries.Tripped += t => _trips.Writer.TryWrite(t);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var trip in _trips.Reader.ReadAllAsync(stoppingToken))
            {
                var reason = trip.Describe();
                LogRolledBack(_logger, trip.Alias, reason);
                _alerts.Publish(AlertKinds.CanaryRolledBack, trip.Alias, "critical", reason, [trip.Alias]);
                if (_reloader.ConfigPath is not { } path)
                {
                    continue; // no file: the share stays 0 in memory until the config changes the canary
                }

                var outcome = await CanaryFileEdits.StopCanaryAsync(path, trip.Alias, trip.Target, _time.GetUtcNow());
                if (outcome.Succeeded)
                {
                    await _reloader.ReloadAsync("canary auto_rollback " + trip.Alias, stoppingToken);
                }
                else
                {
                    LogNotWritten(_logger, trip.Alias, outcome.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 70, Level = LogLevel.Warning, Message = "canary of alias {Alias} rolled back: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, string alias, string reason);

    [LoggerMessage(EventId = 71, Level = LogLevel.Warning, Message = "canary of alias {Alias} stays at share 0 in memory; the file was not changed: {Reason}")]
    private static partial void LogNotWritten(ILogger logger, string alias, string reason);
}
