using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads model_list: every deployment, then turns off offline standbys of groups that have a real one.</summary>
internal static class ModelListReader
{
    public static List<DeploymentConfig> Read(YamlWalker w, YamlNode? node, SecretResolver secrets, RouterSettings router)
    {
        var list = new List<DeploymentConfig>();
        var seq = w.Sequence(node, "model_list");
        if (seq is null || seq.Children.Count == 0)
        {
            if (seq is not null || node is null || YamlWalker.IsNull(node))
            {
                w.Error("model_list", node, "needs at least one entry");
            }

            return list;
        }

        var tagsWarned = false;
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (DeploymentReader.Read(w, seq.Children[i], $"model_list[{i}]", secrets, router) is { } d)
            {
                list.Add(d);
                if (d.Tags.Count > 0 && !router.EnableTagFiltering && !tagsWarned)
                {
                    tagsWarned = true; // once: LiteLLM ignores them too until the switch is on
                    w.Warn($"model_list[{i}].litellm_params.tags", seq.Children[i], "tags choose no deployment unless router_settings.enable_tag_filtering is true");
                }
            }
        }

        // Offline standbys serve only groups that have no other enabled deployment.
        var groupsWithReal = list.Where(d => d.Enabled && !d.OfflineStandby).Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].OfflineStandby && groupsWithReal.Contains(list[i].ModelName))
            {
                list[i] = list[i] with { Enabled = false, DisabledReason = "offline standby: the group has enabled provider deployments" };
            }
        }

        return list;
    }
}
