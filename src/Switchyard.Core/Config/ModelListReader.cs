using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads model_list: every deployment, then turns off offline standbys of groups that have a real one.</summary>
internal static class ModelListReader
{
    /// <summary>
    /// <paramref name="storeModelInDb"/>: models come from the store as well, so an empty model_list loads (with a
    /// notice); <paramref name="broken"/>: the file has a syntax error, so a missing model_list may be one lost to it.
    /// </summary>
    public static List<DeploymentConfig> Read(YamlWalker w, YamlNode? node, SecretResolver secrets, RouterSettings router, bool storeModelInDb = false, bool broken = false)
    {
        var list = new List<DeploymentConfig>();
        var seq = w.Sequence(node, "model_list");
        if (seq is null || seq.Children.Count == 0)
        {
            if (storeModelInDb && (seq is not null || node is null || YamlWalker.IsNull(node)))
            {
                w.Notice("model_list", node, "is empty: the models are the ones stored through the /model/* API (general_settings.store_model_in_db: true)");
            }
            else if (!broken && (seq is not null || node is null || YamlWalker.IsNull(node)))
            {
                // LiteLLM starts with no models too (LibreChat's and Open WebUI's starter files do); they are added later
                w.Warn("model_list", node, "is empty: no model is served until deployments are added through POST /model/new (stored in the database); add entries here, or set general_settings.store_model_in_db: true to say the models live in the store");
            }

            return list;
        }

        var tagsWarned = false;
        var unusable = 0;
        var derivedIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var refs = w.References.Count;
            if (DeploymentReader.Read(w, seq.Children[i], $"model_list[{i}]", secrets, router) is { } d)
            {
                if (!HasOwnId(seq.Children[i]) && !derivedIds.TryAdd(d.Id, i))
                {
                    // the same model_name, model, api_base and api_key again: one deployment, as LiteLLM's id hash makes it
                    w.References.RemoveRange(refs, w.References.Count - refs);
                    w.Warn($"model_list[{i}]", seq.Children[i], $"repeats model_list[{derivedIds[d.Id]}] (same model_name, model, api_base and api_key): one deployment, this entry is ignored (give it model_info.id to keep both)");
                    continue;
                }

                list.Add(d);
                if (d.Tags.Count > 0 && !router.EnableTagFiltering && !tagsWarned)
                {
                    tagsWarned = true; // once: LiteLLM ignores them too until the switch is on
                    w.Warn($"model_list[{i}].litellm_params.tags", seq.Children[i], "tags choose no deployment unless router_settings.enable_tag_filtering is true");
                }
                unusable += d.Unusable ? 1 : 0;
            }
        }

        if (unusable > 0 && unusable == list.Count && !storeModelInDb)
        {
            w.Error("model_list", node, $"no deployment is usable: {(unusable == 1 ? "its only entry is" : $"all {unusable} entries are")} disabled (see the warnings above)");
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

    private static bool HasOwnId(YamlNode entry)
        => entry is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("model_info"), out var info)
            && info is YamlMappingNode im && im.Children.ContainsKey(new YamlScalarNode("id"));
}
