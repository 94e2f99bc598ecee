using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Reads switchyard.compat: <c>acknowledge: [custom_auth, key_management_system]</c> names the LiteLLM settings whose
/// behaviour Switchyard does not reproduce and which the operator accepts starting without.
/// </summary>
internal static class CompatConfigReader
{
    public static readonly IReadOnlySet<string> Acknowledgeable = new HashSet<string>(StringComparer.Ordinal) { "custom_auth", "key_management_system", "allowed_ips" };
    private static readonly HashSet<string> Keys = ["acknowledge"];

    public static IReadOnlySet<string> Read(YamlWalker w, YamlNode? node)
    {
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, v, p) in w.Entries(w.Mapping(node, "switchyard.compat"), "switchyard.compat", Keys))
        {
            var list = w.StringList(v, p) ?? [];
            for (var i = 0; i < list.Count; i++)
            {
                if (Acknowledgeable.Contains(list[i]))
                {
                    acknowledged.Add(list[i]);
                }
                else
                {
                    w.Error($"{p}[{i}]", v, $"'{list[i]}' is not a setting that needs acknowledging; one of {string.Join(", ", Acknowledgeable.Order(StringComparer.Ordinal))}" + YamlWalker.DidYouMean(list[i], Acknowledgeable));
                }
            }
        }

        return acknowledged;
    }
}
