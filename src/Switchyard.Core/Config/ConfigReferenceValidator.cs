namespace Switchyard.Core.Config;

/// <summary>Checks the names the file refers to (aliases, fallbacks, ids) once every group is known, each at its own path and line.</summary>
internal static class ConfigReferenceValidator
{
    public static void Validate(YamlWalker w, List<DeploymentConfig> deployments, RouterSettings router)
    {
        var groups = deployments.Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        var refused = w.RefusedGroups.Where(g => !groups.Contains(g)).ToHashSet(StringComparer.Ordinal); // already an error each
        var names = groups.Concat(router.ModelGroupAlias.Keys).Concat(refused).ToHashSet(StringComparer.Ordinal);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var patterns = groups.Where(Routing.WildcardPattern.IsPattern).Select(g => new Routing.WildcardPattern(g)).ToArray();
        bool Routes(string name) => names.Contains(name) || patterns.Any(p => p.IsMatch(name)); // a wildcard routes names it matches
        foreach (var r in w.References)
        {
            switch (r.Kind)
            {
                case NameReferenceKind.Alias:
                    if (Routing.WildcardPattern.IsPattern(r.Target!) && groups.Contains(r.Target!))
                    {
                        w.Warn(r.Path, r.Node, $"points to the wildcard model_name '{r.Target}', which routes only the names it matches; this alias routes nowhere (point it to a group, or call the concrete name)");
                    }
                    else if (!groups.Contains(r.Target!) && !refused.Contains(r.Target!))
                    {
                        w.Error(r.Path, r.Node, $"points to '{r.Target}', which is no model_name in model_list{Nearest(r.Target!, groups)}");
                    }

                    if (groups.Contains(r.Name))
                    {
                        w.Error(r.Path, r.Node, "is also a model_name; an alias must not shadow a group");
                    }

                    break;
                case NameReferenceKind.FallbackSource when !Routes(r.Name) && r.Name != "*":
                    w.Error(r.Path, r.Node, $"'{r.Name}' is no model_name or alias{Nearest(r.Name, names)}");
                    break;
                case NameReferenceKind.FallbackTarget when !Routes(r.Name):
                    w.Error(r.Path, r.Node, $"fallback target '{r.Name}' is no model_name or alias{Nearest(r.Name, names)}");
                    break;
                case NameReferenceKind.DefaultModel when !names.Contains(r.Name):
                    w.Error(r.Path, r.Node, $"'{r.Name}' is no model_name or alias{Nearest(r.Name, names)}; a request for an unknown model would have nowhere to go");
                    break;
                case NameReferenceKind.DeploymentId:
                    var entry = r.Path.EndsWith(".model_info.id", StringComparison.Ordinal) ? r.Path[..^".model_info.id".Length] : r.Path;
                    if (!ids.TryAdd(r.Name, entry))
                    {
                        w.Error(r.Path, r.Node, $"deployment id '{r.Name}' is also the id of {ids[r.Name]}; ids must be unique (set model_info.id)");
                    }

                    break;
            }
        }

        foreach (var g in groups.Where(g => !deployments.Any(d => d.ModelName == g && d.Enabled)))
        {
            w.Warn($"model_list[{g}]", null, "every deployment of this group is disabled; calls to it answer 503 route_unavailable");
        }
    }

    private static string Nearest(string name, IEnumerable<string> candidates)
    {
        var near = AliasSuggestions.Nearest(name, candidates, 3);
        return near.Count == 0 ? "" : $" (did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}?)";
    }
}
