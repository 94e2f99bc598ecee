using System.Globalization;
using System.Text.Json.Nodes;
using Switchyard.Core.Canaries;
using Switchyard.Core.Config;
using Switchyard.Core.Resilience;
using Switchyard.Hosting;

namespace Switchyard.Operations.Canaries;

/// <summary>
/// An alias's live state per side (primary, canary, the old primary during a promotion's grace period) from this
/// gateway's memory: traffic share, calls, failures, error rate, p50/p95 latency, breaker states; and the verdict
/// <c>alias promote</c> needs before it rewrites the file.
/// </summary>
internal static class CanaryReport
{
    public static JsonObject Status(GatewaySnapshot snapshot, string alias, DateTimeOffset now, TimeSpan window)
    {
        var config = snapshot.Config;
        var primary = config.Router.ModelGroupAlias[alias];
        var canary = config.Canaries.GetValueOrDefault(alias);
        var evidence = snapshot.Routes.Ledger.Find(alias);
        var trip = canary is not null && evidence?.IsTripped(canary) == true ? evidence.Trip : null;
        var canaryShare = canary is { IsActive: true } && trip is null ? canary.Percent : 0;
        var sides = new JsonArray { Side(snapshot, evidence, "primary", primary, 100 - canaryShare, now, window) };
        if (canary?.Target is { } target)
        {
            sides.Add(Side(snapshot, evidence, "canary", target, canaryShare, now, window));
        }

        if (canary?.PromotedFrom is { } previous)
        {
            sides.Add(Side(snapshot, evidence, canary.GraceFallback(now) is null ? "previous" : "grace_fallback", previous, 0, now, window));
        }

        return new JsonObject
        {
            ["alias"] = alias,
            ["primary"] = primary,
            ["window_seconds"] = window.TotalSeconds,
            ["canary"] = canary?.Target is null ? null : new JsonObject
            {
                ["target"] = canary.Target,
                ["percent"] = canary.Percent,
                ["effective_percent"] = canaryShare,
                ["auto_rollback"] = canary.AutoRollback is { } r ? new JsonObject { ["error_rate"] = r.ErrorRate, ["min_requests"] = r.MinRequests, ["window_seconds"] = r.Window.TotalSeconds } : null,
                ["rolled_back"] = trip is null ? null : new JsonObject { ["at"] = trip.At.ToString("O", CultureInfo.InvariantCulture), ["reason"] = trip.Describe() },
            },
            ["promotion"] = canary?.PromotedFrom is null ? null : new JsonObject
            {
                ["promoted_from"] = canary.PromotedFrom,
                ["promoted_percent"] = canary.PromotedPercent,
                ["grace_until"] = canary.GraceUntil?.ToString("O", CultureInfo.InvariantCulture),
                ["grace_active"] = canary.GraceFallback(now) is not null,
            },
            ["sides"] = sides,
        };
    }

    /// <summary>Whether the canary's evidence allows a promotion: the reasons against it (empty when none) and the figures.</summary>
    public static (IReadOnlyList<string> Against, JsonObject Evidence) CheckPromotion(GatewaySnapshot snapshot, string alias, CanaryConfig canary, DateTimeOffset now)
    {
        var checks = canary.Checks;
        var primary = snapshot.Config.Router.ModelGroupAlias[alias];
        var evidence = snapshot.Routes.Ledger.Find(alias);
        var c = evidence?.Figures(canary.Target!, now, checks.Window) ?? default;
        var p = evidence?.Figures(primary, now, checks.Window) ?? default;
        var against = new List<string>();
        var seconds = checks.Window.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        if (c.Requests < checks.MinRequests)
        {
            against.Add($"only {c.Requests} canary call(s) in the last {seconds} s (at least {checks.MinRequests} needed)");
        }

        if (c.ErrorRate is { } rate && rate > checks.MaxErrorRate)
        {
            against.Add($"{c.Failures} of {c.Requests} canary calls failed ({Pct(rate)}, at most {Pct(checks.MaxErrorRate)} allowed)");
        }

        if (c.P95Ms is { } cp95 && p.P95Ms is { } pp95 && pp95 > 0 && cp95 > checks.MaxP95Ratio * pp95)
        {
            against.Add(string.Create(CultureInfo.InvariantCulture, $"canary p95 {cp95:0.#} ms is over {checks.MaxP95Ratio:0.##} x the primary's {pp95:0.#} ms"));
        }

        var group = snapshot.Routes.Resolve(canary.Target!);
        if (group is null || group.Deployments.Count == 0)
        {
            against.Add($"canary group '{canary.Target}' has no enabled deployment");
        }
        else
        {
            foreach (var d in group.Deployments.Where(d => d.State.Breaker.State != BreakerState.Closed))
            {
                against.Add($"breaker {Name(d.State.Breaker.State)} on canary deployment {d.Config.Id}");
            }
        }

        return (against, new JsonObject
        {
            ["window_seconds"] = checks.Window.TotalSeconds,
            ["canary"] = Figures(canary.Target!, c),
            ["primary"] = Figures(primary, p),
            ["thresholds"] = new JsonObject { ["min_requests"] = checks.MinRequests, ["max_error_rate"] = checks.MaxErrorRate, ["max_p95_ratio"] = checks.MaxP95Ratio },
        });
    }

    private static JsonObject Side(GatewaySnapshot snapshot, AliasEvidence? evidence, string role, string group, double share, DateTimeOffset now, TimeSpan window)
    {
        var side = Figures(group, evidence?.Figures(group, now, window) ?? default);
        side["role"] = role;
        side["share_percent"] = share;
        var deployments = new JsonArray();
        foreach (var d in snapshot.Routes.Resolve(group)?.Deployments ?? [])
        {
            var blocked = d.State.BlockedUntil(now);
            deployments.Add(new JsonObject
            {
                ["id"] = d.Config.Id,
                ["breaker"] = Name(d.State.Breaker.State),
                ["retry_after_ms"] = blocked is { } b ? (long)Math.Ceiling((b - now).TotalMilliseconds) : null,
            });
        }

        side["deployments"] = deployments;
        return side;
    }

    private static JsonObject Figures(string group, OutcomeFigures f) => new()
    {
        ["group"] = group,
        ["requests"] = f.Requests,
        ["failures"] = f.Failures,
        ["error_rate"] = f.ErrorRate is { } r ? Math.Round(r, 4) : null,
        ["latency_ms"] = new JsonObject { ["p50"] = f.P50Ms, ["p95"] = f.P95Ms },
    };

    internal static string Pct(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Name(BreakerState s) => s switch
    {
        BreakerState.HalfOpen => "half_open",
        BreakerState.Open => "open",
        _ => "closed",
    };
}
