using YamlDotNet.RepresentationModel;
using Switchyard.Core.Config;

namespace Switchyard.Operations;

/// <summary>
/// Promotes an alias's canary: rewrites the config file so the alias points at the canary group and the canary entry
/// is gone, validates the result, keeps a backup of the old file, then swaps it in for the normal reload path.
/// The rewrite goes through YamlDotNet's node model, so comments in the file are not kept (the backup has them).
/// </summary>
public static class CanaryPromotion
{
    public sealed record Outcome(bool Succeeded, string Message, string? BackupPath);

    public static Outcome Promote(string configPath, string alias, DateTimeOffset now)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(configPath))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new Outcome(false, "the config file is empty", null);
        }

        var switchyard = Child(root, "switchyard");
        var canaries = switchyard is null ? null : Child(switchyard, "canaries");
        if (canaries is null || Child(canaries, alias) is not { } canary || Scalar(canary, "target") is not { } target)
        {
            return new Outcome(false, $"alias '{alias}' has no canary in switchyard.canaries", null);
        }

        var aliases = Child(switchyard!, "aliases");
        var router = Child(root, "router_settings");
        var groupAlias = router is null ? null : Child(router, "model_group_alias");
        // an alias may be declared in both sections (naming the same group); both move, and a mapping entry keeps its
        // other keys (hidden, drop_params)
        var declared = Repoint(aliases, alias, target) | Repoint(groupAlias, alias, target);
        if (!declared)
        {
            return new Outcome(false, $"alias '{alias}' is not declared in switchyard.aliases or router_settings.model_group_alias", null);
        }

        canaries.Children.Remove(new YamlScalarNode(alias));
        var candidate = configPath + ".promote.tmp";
        using (var writer = new StreamWriter(candidate))
        {
            stream.Save(writer, assignAnchors: false);
        }

        try
        {
            ConfigLoader.LoadFile(candidate);
        }
        catch (ConfigException e)
        {
            File.Delete(candidate);
            return new Outcome(false, "the promoted config does not validate: " + string.Join("; ", e.Errors), null);
        }

        // Never overwrite an earlier backup: two promotions within one second would otherwise lose the older file.
        var stamp = $"{configPath}.bak-{now:yyyyMMddHHmmss}";
        var backup = stamp;
        for (var n = 1; File.Exists(backup); n++)
        {
            backup = $"{stamp}-{n}";
        }

        File.Copy(configPath, backup, overwrite: false);
        File.Move(candidate, configPath, overwrite: true);
        return new Outcome(true, $"alias '{alias}' now points at '{target}'", backup);
    }

    /// <summary>Points <paramref name="alias"/> in <paramref name="section"/> at <paramref name="target"/>; false when it is not declared there.</summary>
    private static bool Repoint(YamlMappingNode? section, string alias, string target)
    {
        if (section is null || !section.Children.TryGetValue(new YamlScalarNode(alias), out var existing))
        {
            return false;
        }

        if (existing is YamlMappingNode m)
        {
            m.Children[new YamlScalarNode("model")] = new YamlScalarNode(target);
        }
        else
        {
            section.Children[new YamlScalarNode(alias)] = new YamlScalarNode(target);
        }

        return true;
    }

    private static YamlMappingNode? Child(YamlMappingNode map, string key)
        => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v as YamlMappingNode : null;

    private static string? Scalar(YamlMappingNode map, string key)
        => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;
}
