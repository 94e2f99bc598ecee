using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Reads switchyard.canaries: per alias, a canary (target, percent, promotion checks, auto_rollback) and/or the record a
/// promotion leaves (promoted_from, promoted_percent, grace_until); docs/operations.md.
/// </summary>
internal static class CanaryConfigReader
{
    private static readonly HashSet<string> Keys = ["target", "percent", "promotion", "auto_rollback", "promoted_from", "promoted_percent", "grace_until"];

    public static Dictionary<string, CanaryConfig> Read(YamlWalker w, YamlNode? node, List<DeploymentConfig> deployments, RouterSettings router)
    {
        var result = new Dictionary<string, CanaryConfig>(StringComparer.Ordinal);
        var groups = deployments.Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        foreach (var (alias, v, p) in w.Entries(w.Mapping(node, "switchyard.canaries"), "switchyard.canaries"))
        {
            string? target = null, promotedFrom = null;
            double? percent = null, promotedPercent = null;
            DateTimeOffset? graceUntil = null;
            var checks = CanaryChecks.Default;
            CanaryAutoRollback? autoRollback = null;
            var errors = w.Errors.Count;
            foreach (var (k, cv, cp) in w.Entries(w.Mapping(v, p), p, Keys))
            {
                switch (k)
                {
                    case "target": target = w.String(cv, cp); break;
                    case "percent": percent = w.Number(cv, cp, 0, 100); break;
                    case "promotion": checks = ReadChecks(w, cv, cp); break;
                    case "auto_rollback": autoRollback = ReadAutoRollback(w, cv, cp); break;
                    case "promoted_from": promotedFrom = w.String(cv, cp); break;
                    case "promoted_percent": promotedPercent = w.Number(cv, cp, 0, 100); break;
                    default: graceUntil = ReadInstant(w, cv, cp); break;
                }
            }

            if (!router.ModelGroupAlias.TryGetValue(alias, out var primary))
            {
                w.Error(p, v, $"'{alias}' is not an alias (switchyard.aliases or router_settings.model_group_alias); canaries split an alias between its group and a canary group");
                continue;
            }

            if (target is null && promotedFrom is null)
            {
                w.Error(p + ".target", v, "must name a model_name group (the canary), unless the entry records a promotion (promoted_from)");
                continue;
            }

            if (target is not null && !groups.Contains(target))
            {
                w.Error(p + ".target", v, $"must name a model_name group; '{target}' is none");
                continue;
            }

            if (target == primary)
            {
                w.Error(p + ".target", v, "is already the alias's primary group");
                continue;
            }

            if (promotedFrom is not null && (!groups.Contains(promotedFrom) || promotedFrom == primary))
            {
                w.Error(p + ".promoted_from", v, promotedFrom == primary
                    ? "is the alias's primary group; it should name the group the alias pointed at before the promotion"
                    : $"must name a model_name group (the alias's group before the promotion); '{promotedFrom}' is none (run 'switchyard alias finalize {alias}' once the old group is gone)");
                continue;
            }

            if (w.Errors.Count > errors)
            {
                continue;
            }

            result[alias] = new CanaryConfig(target, target is null ? 0 : percent ?? 5)
            {
                Checks = checks,
                AutoRollback = autoRollback,
                PromotedFrom = promotedFrom,
                PromotedPercent = promotedPercent,
                GraceUntil = promotedFrom is null ? null : graceUntil ?? DateTimeOffset.MinValue,
            };
        }

        return result;
    }

    private static CanaryChecks ReadChecks(YamlWalker w, YamlNode node, string path)
    {
        var checks = CanaryChecks.Default;
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, path), path, new HashSet<string> { "min_requests", "max_error_rate", "max_p95_ratio", "window" }))
        {
            checks = k switch
            {
                "min_requests" => w.Int(v, p, 0) is { } n ? checks with { MinRequests = n } : checks,
                "max_error_rate" => w.Number(v, p, 0, 1) is { } r ? checks with { MaxErrorRate = r } : checks,
                "max_p95_ratio" => w.Number(v, p, 0) is { } x ? checks with { MaxP95Ratio = x } : checks,
                _ => Window(w, v, p) is { } d ? checks with { Window = d } : checks,
            };
        }

        return checks;
    }

    private static CanaryAutoRollback? ReadAutoRollback(YamlWalker w, YamlNode node, string path)
    {
        double? rate = null;
        var minRequests = 20;
        var window = TimeSpan.FromMinutes(5);
        var map = w.Mapping(node, path);
        foreach (var (k, v, p) in w.Entries(map, path, new HashSet<string> { "error_rate", "min_requests", "window" }))
        {
            switch (k)
            {
                case "error_rate": rate = w.Number(v, p, 0, 1); break;
                case "min_requests": minRequests = w.Int(v, p, 1) ?? minRequests; break;
                default: window = Window(w, v, p) ?? window; break;
            }
        }

        if (map is not null && rate is null)
        {
            w.Error(path + ".error_rate", node, "is required: the failure share (0 to 1) at which the canary is rolled back");
        }

        return rate is { } r ? new CanaryAutoRollback(r, minRequests, window) : null;
    }

    private static TimeSpan? Window(YamlWalker w, YamlNode node, string path)
    {
        var d = w.Duration(node, path);
        if (d is { } span && (span <= TimeSpan.Zero || span > Canaries.OutcomeWindow.Span))
        {
            w.Error(path, node, "must be between 1s and 1h (the gateway keeps an hour of canary evidence)");
            return null;
        }

        return d;
    }

    private static DateTimeOffset? ReadInstant(YamlWalker w, YamlNode node, string path)
    {
        var text = w.String(node, path);
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        w.Error(path, node, $"must be an ISO 8601 time such as 2025-06-01T12:00:00Z, got '{text}'");
        return null;
    }
}
