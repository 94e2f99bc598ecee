using System.Globalization;
using System.Text;
using Switchyard.Core.Resilience;

namespace Switchyard.Core.Routing;

/// <summary>
/// Why no deployment of a group may take a call now, said per deployment: its breaker is open (or half-open with its
/// probes taken), it is cooling down after the provider's own 429 or 5xx with Retry-After, or it is at its own
/// model_list rpm/tpm. The 503's code names the cause when every deployment shares it (docs/failure-contract.md).
/// </summary>
public static class BlockedReasons
{
    /// <summary>Every deployment's breaker is open.</summary>
    public const string BreakerOpen = "breaker_open";

    /// <summary>Every deployment is waiting out the provider's Retry-After (an upstream 429 or 5xx).</summary>
    public const string UpstreamCooldown = "upstream_cooldown";

    /// <summary>The deployments are blocked for different reasons (the message names each).</summary>
    public const string Mixed = "all_deployments_unavailable";

    private const int Named = 5;

    public static (string Code, string Message) Describe(RouteGroup group, DateTimeOffset now, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(group);
        string? common = null;
        var mixed = false;
        var text = new StringBuilder();
        var listed = 0;
        foreach (var d in group.Deployments)
        {
            var (cause, what) = Reason(d.State, now);
            mixed |= common is not null && common != cause;
            common ??= cause;
            if (listed++ < Named)
            {
                text.Append(listed == 1 ? "" : "; ").Append(d.Config.Id).Append(": ").Append(what);
            }
        }

        if (listed > Named)
        {
            text.Append("; and ").Append((listed - Named).ToString(CultureInfo.InvariantCulture)).Append(" more");
        }

        var code = mixed || common is null ? Mixed : common;
        var summary = code switch
        {
            BreakerOpen => "has every deployment's circuit breaker open",
            UpstreamCooldown => "has every deployment cooling down after the provider asked to wait (Retry-After)",
            _ => "has every deployment open, cooling down or at its rpm/tpm limit",
        };
        var retry = retryAfter is { } r ? "; retry in " + Seconds(r) : "";
        return (code, $"model group '{group.Name}' {summary} ({text}){retry}");
    }

    private static (string Cause, string What) Reason(DeploymentState s, DateTimeOffset now)
    {
        if (s.Breaker.BlockedUntil() is { } open)
        {
            var state = s.Breaker.State == BreakerState.HalfOpen ? "breaker half-open, its probe calls in flight" : "breaker open";
            return (BreakerOpen, $"{state}, {Seconds(open - now)} left");
        }

        if (s.CooldownUntil(now) is { } cool)
        {
            var status = s.CooldownStatus;
            var after = status switch
            {
                429 => "cooling down after an upstream 429 (provider rate limit)",
                0 => "cooling down after the provider's Retry-After",
                _ => $"cooling down after an upstream {status.ToString(CultureInfo.InvariantCulture)} with Retry-After",
            };
            return (UpstreamCooldown, $"{after}, {Seconds(cool - now)} left");
        }

        if (s.LimitedUntil(now) is { } limited)
        {
            var runtime = s.Runtime;
            var limit = (runtime.Rpm, runtime.Tpm) switch
            {
                ({ } rpm, { } tpm) => $"rpm {rpm.ToString(CultureInfo.InvariantCulture)} / tpm {tpm.ToString(CultureInfo.InvariantCulture)}",
                ({ } rpm, null) => $"rpm {rpm.ToString(CultureInfo.InvariantCulture)}",
                (null, { } tpm) => $"tpm {tpm.ToString(CultureInfo.InvariantCulture)}",
                _ => "rpm/tpm",
            };
            return ("deployment_rate_limited", $"at its own {limit} limit (model_list), {Seconds(limited - now)} left");
        }

        return (Mixed, "skipped");
    }

    private static string Seconds(TimeSpan t)
        => t <= TimeSpan.Zero ? "0 s" : t.TotalSeconds >= 10
            ? Math.Ceiling(t.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s"
            : Math.Max(0.1, Math.Ceiling(t.TotalSeconds * 10) / 10).ToString("0.#", CultureInfo.InvariantCulture) + " s";
}
