using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads aliases: router_settings.model_group_alias and switchyard.aliases.</summary>
internal static class AliasConfigReader
{
    private static readonly HashSet<string> AliasKeys = ["model", "hidden", "drop_params"];

    /// <summary>
    /// router_settings.model_group_alias: <c>alias: group</c>, or <c>alias: {model: group, hidden: bool, drop_params: bool}</c>.
    /// </summary>
    public static RouterSettings ReadGroupAliases(YamlWalker w, YamlNode node, string path, RouterSettings r)
    {
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        var drop = new HashSet<string>(StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, path), path))
        {
            if (ReadAlias(w, k, v, p, hidden, drop) is { } target)
            {
                result[k] = target;
            }
        }

        return r with { ModelGroupAlias = result, HiddenAliases = hidden, DropParamsAliases = drop };
    }

    /// <summary>One alias entry, plain (<c>alias: group</c>) or a mapping with model, hidden and drop_params; its target, or null when invalid.</summary>
    private static string? ReadAlias(YamlWalker w, string alias, YamlNode v, string p, HashSet<string> hidden, HashSet<string> drop)
    {
        if (v is YamlSequenceNode)
        {
            // LiteLLM reads one target per alias (a name, or {model, hidden}); a list loads there and fails when called
            w.Warn(p, v, "is a list; an alias points to one group (alias: group, or {model: group, hidden: true}): this alias is ignored. For several groups in turn use router_settings.fallbacks");
            return null;
        }

        if (v is not YamlMappingNode m)
        {
            if (w.String(v, p) is { } plain)
            {
                w.Refer(NameReferenceKind.Alias, p, v, alias, plain);
                return plain;
            }

            return null;
        }

        string? target = null;
        foreach (var (mk, mv, mp) in w.Entries(m, p, AliasKeys))
        {
            switch (mk)
            {
                case "model":
                    target = w.String(mv, mp);
                    if (target is not null)
                    {
                        w.Refer(NameReferenceKind.Alias, p, mv, alias, target);
                    }

                    break;
                case "hidden" when w.Bool(mv, mp) == true: hidden.Add(alias); break;
                case "drop_params" when w.Bool(mv, mp) == true: drop.Add(alias); break;
            }
        }

        if (target is null)
        {
            w.Error(p, v, "needs model: the group this alias points to");
        }

        return target;
    }

    /// <summary>switchyard.aliases on top of model_group_alias; the same forms, and an alias in both must name the same group.</summary>
    public static RouterSettings Merge(YamlWalker w, RouterSettings router, YamlNode? node)
    {
        var result = new Dictionary<string, string>(router.ModelGroupAlias, StringComparer.Ordinal);
        var hidden = new HashSet<string>(router.HiddenAliases, StringComparer.Ordinal);
        var drop = new HashSet<string>(router.DropParamsAliases, StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.aliases"), "switchyard.aliases"))
        {
            if (ReadAlias(w, k, v, p, hidden, drop) is { } target)
            {
                if (result.TryGetValue(k, out var existing) && existing != target)
                {
                    w.Error(p, v, $"alias '{k}' is also router_settings.model_group_alias -> '{existing}'");
                }

                result[k] = target;
            }
        }

        return router with { ModelGroupAlias = result, HiddenAliases = hidden, DropParamsAliases = drop };
    }
}
