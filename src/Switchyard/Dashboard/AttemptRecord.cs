using Switchyard.Core.Failures;

namespace Switchyard.Dashboard;

/// <summary>One upstream attempt of a call, as the dashboard's call view shows it.</summary>
public sealed record AttemptRecord(string Deployment, string ProviderFamily, string Group, bool Fallback, string Outcome, int? UpstreamStatus, double LatencyMs)
{
    public const string Ok = "ok";

    /// <summary>The outcome's name: <c>ok</c>, or the failure kind in snake case (server_error, timeout, ...).</summary>
    public static string OutcomeOf(UpstreamFailure? failure) => failure?.Kind switch
    {
        null => Ok,
        FailureKind.CallerError => "caller_error",
        FailureKind.ContextWindowExceeded => "context_window_exceeded",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.UpstreamAuth => "upstream_auth",
        FailureKind.ServerError => "server_error",
        FailureKind.Timeout => "timeout",
        FailureKind.ConnectionError => "connection_error",
        FailureKind.InvalidResponse => "invalid_response",
        FailureKind.Unsupported => "unsupported",
        _ => "failed",
    };
}
