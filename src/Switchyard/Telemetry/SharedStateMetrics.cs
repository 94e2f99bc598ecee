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

        if (services.GetService<RedisBreakerCoordinator>() is { } breakers)
        {
            ObserveBreakers(telemetry, breakers, logger);
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

    /// <summary>
    /// Shared breakers: <c>switchyard.shared_breakers.up</c> (1 while Redis answers the breaker calls, 0 while each
    /// replica's own breakers decide) and <c>switchyard.shared_breakers.failures</c>; losing and regaining Redis is logged.
    /// </summary>
    private static void ObserveBreakers(GatewayTelemetry telemetry, RedisBreakerCoordinator breakers, ILogger logger)
    {
        telemetry.Meter.CreateObservableGauge("switchyard.shared_breakers.up", () => breakers.IsAvailable ? 1 : 0, "{state}", "1 while breaker state is shared through Redis, 0 while each replica's own breakers decide");
        var failures = telemetry.Meter.CreateCounter<long>("switchyard.shared_breakers.failures", "{call}", "Calls to Redis for shared breakers that failed or timed out (the replica's own breakers decided)");
        breakers.Failed += reason =>
        {
            failures.Add(1);
            LogBreakerFailure(logger, reason);
        };
        breakers.AvailabilityChanged += up =>
        {
            if (up)
            {
                LogBreakersRestored(logger);
            }
            else
            {
                LogBreakersDown(logger);
            }
        };
    }

    [LoggerMessage(EventId = 144, Level = LogLevel.Warning, Message = "shared breakers: Redis does not answer; each replica's own breakers decide (and probe) until it does")]
    private static partial void LogBreakersDown(ILogger logger);

    [LoggerMessage(EventId = 145, Level = LogLevel.Information, Message = "shared breakers: Redis answers again; breaker state is shared")]
    private static partial void LogBreakersRestored(ILogger logger);

    [LoggerMessage(EventId = 146, Level = LogLevel.Debug, Message = "shared breakers: a call to Redis failed: {Reason}")]
    private static partial void LogBreakerFailure(ILogger logger, string reason);

    [LoggerMessage(EventId = 140, Level = LogLevel.Error, Message = "the shared state store (Redis) is unreachable ({Reason}); admission follows on_redis_failure until it answers again")]
    private static partial void LogDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 141, Level = LogLevel.Information, Message = "the shared state store (Redis) answers again; shared limits are back")]
    private static partial void LogRestored(ILogger logger);

    [LoggerMessage(EventId = 143, Level = LogLevel.Warning, Message = "this replica's heartbeat in Redis had lapsed (it was taken for dead and its reservations released); it goes on as {Next} (was {Old})")]
    private static partial void LogGeneration(ILogger logger, string old, string next);

    [LoggerMessage(EventId = 142, Level = LogLevel.Debug, Message = "a call to the shared state store (Redis) failed: {Reason}")]
    private static partial void LogFailure(ILogger logger, string reason);
}
