namespace Switchyard.Core.Alerts;

/// <summary>Something an operator should hear about. Events of one kind and subject are merged over a window.</summary>
public sealed record AlertEvent(string Kind, string Subject, string Severity, string Detail, DateTimeOffset At)
{
    /// <summary>Aliases affected (for breaker and route events), merged across the window.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
}

/// <summary>Alert kinds (contract: alert receivers filter on them).</summary>
public static class AlertKinds
{
    public const string BreakerOpened = "breaker_opened";
    public const string BreakerClosed = "breaker_closed";
    public const string RouteUnavailable = "route_unavailable";
    public const string UpstreamErrors = "upstream_5xx";
    public const string BudgetSoftLimit = "budget_soft_limit";
    public const string BudgetExceeded = "budget_exceeded";
    public const string ConfigReloadFailed = "config_reload_failed";

    /// <summary>The breaker in front of the shared state store (Redis) opened: admission follows on_redis_failure.</summary>
    public const string SharedStateDown = "shared_state_down";

    /// <summary>The shared state store answers again (the breaker's probe succeeded).</summary>
    public const string SharedStateRestored = "shared_state_restored";
}
