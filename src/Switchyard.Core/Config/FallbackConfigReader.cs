using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads fallback lists (router_settings and litellm_settings fallbacks) and records every name they refer to.</summary>
internal static class FallbackConfigReader
{
    /// <summary>LiteLLM writes fallbacks as a list of one-key mappings: [{"gpt-4o": ["claude"]}].</summary>
    public static Dictionary<string, IReadOnlyList<string>> Read(YamlWalker w, YamlNode node, string path)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        void Add(YamlMappingNode map, string p)
        {
            foreach (var (k, v, ep) in w.Entries(map, p))
            {
                w.Refer(NameReferenceKind.FallbackSource, ep, v, k);
                if (w.StringList(v, ep) is { } targets)
                {
                    result[k] = targets;
                    ReferTargets(w, v, ep);
                }
            }
        }

        if (node is YamlMappingNode m)
        {
            Add(m, path);
            return result;
        }

        var seq = w.Sequence(node, path);
        for (var i = 0; seq is not null && i < seq.Children.Count; i++)
        {
            if (w.Mapping(seq.Children[i], $"{path}[{i}]") is { } map)
            {
                Add(map, $"{path}[{i}]");
            }
        }

        return result;
    }

    /// <summary>Records each fallback target name of a list (or single name) with where it was written.</summary>
    public static void ReferTargets(YamlWalker w, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } single } && !YamlWalker.IsNull(node))
        {
            w.Refer(NameReferenceKind.FallbackTarget, path, node, single);
        }
        else if (node is YamlSequenceNode seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (seq.Children[i] is YamlScalarNode { Value: { } name })
                {
                    w.Refer(NameReferenceKind.FallbackTarget, $"{path}[{i}]", seq.Children[i], name);
                }
            }
        }
    }
}
