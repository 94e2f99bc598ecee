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
}
