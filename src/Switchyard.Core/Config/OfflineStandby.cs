namespace Switchyard.Core.Config;

/// <summary>
/// The groups that answer from their offline standby (model_info.offline_standby: the embedded default config's mock,
/// kept so Switchyard can be tried without provider keys) because none of their provider deployments is enabled. An
/// answer from a standby is mock text, not a model's: readiness says "degraded", doctor warns, the start-up log warns,
/// and every such answer carries <c>x-switchyard-offline-standby</c> (docs/operations.md, "Offline standby").
/// </summary>
public static class OfflineStandby
{
    /// <summary>The header on every answer an offline standby served.</summary>
    public const string Header = "x-switchyard-offline-standby";

    /// <summary>The groups served by a standby, in config order; empty when every group has a provider deployment.</summary>
    public static IReadOnlyList<OfflineStandbyGroup> Serving(GatewayConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = new List<OfflineStandbyGroup>();
        foreach (var group in config.Deployments.Select(d => d.ModelName).Distinct(StringComparer.Ordinal))
        {
            var members = config.Deployments.Where(d => d.ModelName == group).ToList();
            var standbys = members.Where(d => d.Enabled && d.OfflineStandby).Select(d => d.Id).ToList();
            if (standbys.Count == 0 || members.Any(d => d.Enabled && !d.OfflineStandby))
            {
                continue;
            }

            var missing = members.Where(d => !d.OfflineStandby && d.DisabledReason is not null).Select(d => d.DisabledReason!).Distinct(StringComparer.Ordinal).ToList();
            result.Add(new OfflineStandbyGroup(group, standbys, missing));
        }

        return result;
    }

    /// <summary>One line for logs, readiness and doctor: which groups answer with mock text and what would fix it.</summary>
    public static string Describe(IReadOnlyList<OfflineStandbyGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var missing = groups.SelectMany(g => g.Missing).Distinct(StringComparer.Ordinal).ToList();
        return $"{string.Join(", ", groups.Select(g => g.Group))} answer{(groups.Count == 1 ? "s" : "")} with the offline standby's mock text, not a model's"
            + (missing.Count > 0 ? $" ({string.Join("; ", missing)})" : " (no provider deployment is enabled)");
    }
}

/// <summary>A group answered by its offline standby: the standby deployments and why its provider deployments are off.</summary>
public sealed record OfflineStandbyGroup(string Group, IReadOnlyList<string> Standbys, IReadOnlyList<string> Missing);
