using Switchyard.Core.Tenancy;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.tenants: tenants declared in the file (LiteLLM team fields; team_id is accepted for tenant_id).</summary>
internal static class TenantConfigReader
{
    private static readonly HashSet<string> Keys =
    [
        "tenant_id", "team_id", "team_alias", "alias", "models", "allowed_aliases", "rpm", "rpm_limit", "tpm", "tpm_limit",
        "max_parallel_requests", "max_budget", "soft_budget", "budget_duration", "alias_limits", "metadata", "blocked",
    ];

    public static IReadOnlyList<TenantRecord> Read(YamlWalker w, YamlNode? node)
    {
        var list = new List<TenantRecord>();
        var seq = w.Sequence(node, "switchyard.tenants");
        for (var i = 0; seq is not null && i < seq.Children.Count; i++)
        {
            var path = $"switchyard.tenants[{i}]";
            string? id = null, alias = null;
            IReadOnlyList<string> models = [];
            var limits = new Limits();
            var aliasLimits = new Dictionary<string, AliasLimits>(StringComparer.Ordinal);
            var blocked = false;
            string? metadata = null;
            foreach (var (k, v, p) in w.Entries(w.Mapping(seq.Children[i], path), path, Keys))
            {
                switch (k)
                {
                    case "tenant_id" or "team_id": id = w.String(v, p); break;
                    case "team_alias" or "alias": alias = w.String(v, p); break;
                    case "models" or "allowed_aliases": models = w.StringList(v, p) ?? []; break;
                    case "rpm" or "rpm_limit": limits = limits with { Rpm = w.Int(v, p, 1) }; break;
                    case "tpm" or "tpm_limit": limits = limits with { Tpm = w.Int(v, p, 1) }; break;
                    case "max_parallel_requests": limits = limits with { MaxParallelRequests = w.Int(v, p, 1) }; break;
                    case "max_budget": limits = limits with { MaxBudget = (decimal?)w.Number(v, p, 0) }; break;
                    case "soft_budget": limits = limits with { SoftBudget = (decimal?)w.Number(v, p, 0) }; break;
                    case "budget_duration":
                        var text = w.String(v, p);
                        if (text is not null)
                        {
                            if (BudgetDuration.TryParse(text, out var d))
                            {
                                limits = limits with { BudgetDuration = d };
                            }
                            else
                            {
                                w.Error(p, v, $"must be a period such as 30s, 30m, 24h, 30d or 1mo, got '{text}'");
                            }
                        }

                        break;
                    case "alias_limits":
                        foreach (var (ak, av, ap) in w.Entries(w.Mapping(v, p), p))
                        {
                            int? rpm = null, tpm = null;
                            foreach (var (lk, lv, lp) in w.Entries(w.Mapping(av, ap), ap, new HashSet<string> { "rpm", "tpm" }))
                            {
                                if (lk == "rpm")
                                {
                                    rpm = w.Int(lv, lp, 1);
                                }
                                else
                                {
                                    tpm = w.Int(lv, lp, 1);
                                }
                            }

                            aliasLimits[ak] = new AliasLimits(rpm, tpm);
                        }

                        break;
                    case "metadata": metadata = YamlWalker.ToJson(v)?.ToJsonString(); break;
                    case "blocked": blocked = w.Bool(v, p) ?? false; break;
                }
            }

            if (string.IsNullOrWhiteSpace(id))
            {
                w.Error(path + ".tenant_id", seq.Children[i], "is required");
                continue;
            }

            if (list.Any(t => t.TenantId == id))
            {
                w.Error(path + ".tenant_id", seq.Children[i], $"tenant '{id}' is declared twice");
                continue;
            }

            list.Add(new TenantRecord
            {
                TenantId = id,
                Alias = alias,
                Models = models,
                Limits = limits,
                AliasLimits = aliasLimits,
                MetadataJson = metadata,
                Blocked = blocked,
                Source = "config",
                CreatedAt = DateTimeOffset.UnixEpoch,
            });
        }

        return list;
    }
}
