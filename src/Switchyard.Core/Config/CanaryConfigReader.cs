using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.canaries: an alias's share of traffic sent to a canary group first.</summary>
internal static class CanaryConfigReader
{
    public static Dictionary<string, CanaryConfig> Read(YamlWalker w, YamlNode? node, List<DeploymentConfig> deployments, RouterSettings router)
    {
        var result = new Dictionary<string, CanaryConfig>(StringComparer.Ordinal);
        var groups = deployments.Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        foreach (var (alias, v, p) in w.Entries(w.Mapping(node, "switchyard.canaries"), "switchyard.canaries"))
        {
            string? target = null;
            double? percent = null;
            foreach (var (k, cv, cp) in w.Entries(w.Mapping(v, p), p, new HashSet<string> { "target", "percent" }))
            {
                if (k == "target")
                {
                    target = w.String(cv, cp);
                }
                else
                {
                    percent = w.Number(cv, cp, 0, 100);
                }
            }

            if (!router.ModelGroupAlias.ContainsKey(alias))
            {
                w.Error(p, v, $"'{alias}' is not an alias (switchyard.aliases or router_settings.model_group_alias); canaries split an alias between its group and a canary group");
                continue;
            }

            if (target is null || !groups.Contains(target))
            {
                w.Error(p + ".target", v, $"must name a model_name group{(target is null ? "" : $"; '{target}' is none")}");
                continue;
            }

            if (target == router.ModelGroupAlias[alias])
            {
                w.Error(p + ".target", v, "is already the alias's primary group");
                continue;
            }

            result[alias] = new CanaryConfig(target, percent ?? 5);
        }

        return result;
    }
}
