namespace Switchyard.Core.Alerts;

/// <summary>Something an operator should hear about. Events of one kind and subject are merged over a window.</summary>
public sealed record AlertEvent(string Kind, string Subject, string Severity, string Detail, DateTimeOffset At)
{
    /// <summary>Aliases affected (for breaker and route events), merged across the window.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>
    /// The provider model (<c>openai/gpt-4o</c>) when the subject is a deployment id: named in the message, never part of
    /// the merge key, so unrelated deployments of one model stay separate alerts.
    /// </summary>
    public string? Model { get; init; }
}

/// <summary>Alert kinds (contract: alert receivers filter on them).</summary>
public static class AlertKinds
{
    public const string BreakerOpened = "breaker_opened";
    public const string BreakerClosed = "breaker_closed";
    public const string RouteUnavailable = "route_unavailable";

    /// <summary>A deployment answered 5xx.</summary>
    public const string UpstreamErrors = "upstream_5xx";

    /// <summary>A deployment's provider refused the gateway's key (401/403).</summary>
    public const string UpstreamAuth = "upstream_auth";

    /// <summary>A deployment answered 2xx with a body that is not its wire format.</summary>
    public const string InvalidResponse = "invalid_response";

    /// <summary>A deployment gave no answer (or no first byte) within its timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>A deployment refused, reset or could not be reached.</summary>
    public const string ConnectionError = "connection_error";

    /// <summary>A deployment's provider answered 429.</summary>
    public const string UpstreamRateLimited = "upstream_rate_limited";

    public const string BudgetSoftLimit = "budget_soft_limit";
    public const string BudgetExceeded = "budget_exceeded";
    public const string ConfigReloadFailed = "config_reload_failed";

    /// <summary>The breaker in front of the shared state store (Redis) opened: admission follows on_redis_failure.</summary>
    public const string SharedStateDown = "shared_state_down";

    /// <summary>The shared state store answers again (the breaker's probe succeeded).</summary>
    public const string SharedStateRestored = "shared_state_restored";

    /// <summary>A canary breached its auto_rollback threshold and its share went to 0.</summary>
    public const string CanaryRolledBack = "canary_rolled_back";

    /// <summary>The alert kind for a failed upstream attempt, or null for failures that are the caller's (not alerted).</summary>
    public static string? ForFailure(Failures.FailureKind kind) => kind switch
    {
        Failures.FailureKind.UpstreamAuth => UpstreamAuth,
        Failures.FailureKind.InvalidResponse => InvalidResponse,
        Failures.FailureKind.ServerError => UpstreamErrors,
        Failures.FailureKind.Timeout => Timeout,
        Failures.FailureKind.ConnectionError => ConnectionError,
        Failures.FailureKind.RateLimited => UpstreamRateLimited,
        _ => null,
    };
}
