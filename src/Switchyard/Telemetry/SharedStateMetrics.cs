using Switchyard.Core.Admission;
using Switchyard.Core.Telemetry;
using Switchyard.Storage.Redis;

namespace Switchyard.Telemetry;

/// <summary>
/// The shared state store (Redis) as seen by admission: <c>switchyard.shared_state.up</c> (1 while its breaker is
/// closed, 0 while open; absent without Redis), <c>switchyard.shared_state.failures</c> (failed or slow calls) and
/// <c>switchyard.shared_state.pending_settlements</c> (settlements waiting for it); breaker changes are logged.
/// </summary>
public sealed partial class SharedStateMetrics
{
    public SharedStateMetrics(GatewayTelemetry telemetry, AdmissionController admission, IServiceProvider services, ILogger<SharedStateMetrics> logger)
    {
        if (services.GetService<RedisSharedAdmission>() is { } redis)
        {
            redis.Replica.GenerationStarted += (old, next) => LogGeneration(logger, old, next);
        }

        if (admission.Breaker is not { } breaker)
        {
            return;
        }

        telemetry.Meter.CreateObservableGauge("switchyard.shared_state.up", () => breaker.IsOpen ? 0 : 1, "{state}", "1 while the shared state store (Redis) answers, 0 while its breaker is open");
        telemetry.Meter.CreateObservableGauge("switchyard.shared_state.pending_settlements", () => admission.PendingSettlements, "{settlement}", "Settlements waiting for the shared state store to answer again");
        var failures = telemetry.Meter.CreateCounter<long>("switchyard.shared_state.failures", "{call}", "Calls to the shared state store (Redis) that failed or were slower than switchyard.shared.timeout");
        admission.SharedStateFailed += reason =>
        {
            failures.Add(1);
            LogFailure(logger, reason);
        };
        breaker.Changed += (up, reason) =>
        {
            if (up)
            {
                LogRestored(logger);
            }
            else
            {
                LogDown(logger, reason);
            }
        };
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Error, Message = "the shared state store (Redis) is unreachable ({Reason}); admission follows on_redis_failure until it answers again")]
    private static partial void LogDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "the shared state store (Redis) answers again; shared limits are back")]
    private static partial void LogRestored(ILogger logger);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "this replica's heartbeat in Redis had lapsed (it was taken for dead and its reservations released); it goes on as {Next} (was {Old})")]
    private static partial void LogGeneration(ILogger logger, string old, string next);

    [LoggerMessage(EventId = 142, Level = LogLevel.Debug, Message = "a call to the shared state store (Redis) failed: {Reason}")]
    private static partial void LogFailure(ILogger logger, string reason);
}
