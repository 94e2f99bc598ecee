using System.Globalization;
using Switchyard.Core.Config;

namespace Switchyard.Operations.Canaries;

/// <summary>
/// Promotion, rollback, finalize and an automatic rollback's share of 0, as edits of the config file's text (comments
/// and formatting kept; <see cref="YamlTextEditor"/>). Each edit is validated by loading the result, checked to have
/// done what it meant to, and swapped in with the old file kept as <c>config.yaml.bak-TIME</c>; the caller reloads.
/// One edit at a time per process.
/// </summary>
public static class CanaryFileEdits
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public sealed record Outcome(bool Succeeded, string Message, string? BackupPath, string Code = "promotion_refused");

    private static readonly string[] Canaries = ["switchyard", "canaries"];
    private static readonly string[] PromotionKeys = ["promoted_from", "promoted_percent", "grace_until"];

    /// <summary>The alias points at its canary group; the entry keeps the previous group as promoted_from until <paramref name="graceUntil"/>.</summary>
    public static Task<Outcome> PromoteAsync(string path, string alias, DateTimeOffset now, DateTimeOffset graceUntil)
        => EditAsync(path, now, e =>
        {
            var entry = Entry(alias);
            if (e.Scalar(entry.Append("target").ToArray()) is not { } target)
            {
                return Refused($"alias '{alias}' has no canary in switchyard.canaries");
            }

            if (Primary(e, alias) is not { } primary)
            {
                return Refused($"alias '{alias}' is not declared in switchyard.aliases or router_settings.model_group_alias");
            }

            var percent = e.Scalar(entry.Append("percent").ToArray()) ?? "5";
            Repoint(e, alias, target);
            e.Set(entry, "grace_until", YamlTextEditor.Quote(graceUntil.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));
            e.Set(entry, "promoted_percent", percent);
            e.Set(entry, "promoted_from", YamlTextEditor.Quote(primary));
            e.Remove(entry, "target");
            e.Remove(entry, "percent");
            return (c => c.Router.ModelGroupAlias.GetValueOrDefault(alias) == target && c.Canaries.GetValueOrDefault(alias)?.PromotedFrom == primary,
                $"alias '{alias}' now points at '{target}'; '{primary}' backs it up until {graceUntil:u} ('switchyard alias rollback {alias}' restores it, 'alias finalize {alias}' drops the record)");
        });

    /// <summary>Ends an active canary (share 0), else restores the alias's group before its promotion (the canary entry stays at share 0).</summary>
    public static Task<Outcome> RollbackAsync(string path, string alias, DateTimeOffset now)
        => EditAsync(path, now, e =>
        {
            var entry = Entry(alias);
            var target = e.Scalar(entry.Append("target").ToArray());
            var percent = e.Scalar(entry.Append("percent").ToArray()) ?? "5";
            if (target is not null && percent is not ("0" or "0.0"))
            {
                e.Set(entry, "percent", "0");
                return (c => c.Canaries.GetValueOrDefault(alias) is { IsActive: false }, $"canary '{target}' of alias '{alias}' ended: its share went from {percent} % to 0 (raise percent to resume)");
            }

            if (e.Scalar(entry.Append("promoted_from").ToArray()) is not { } previous)
            {
                return Refused($"alias '{alias}' has neither an active canary nor a promotion to roll back", "nothing_to_roll_back");
            }

            if (Primary(e, alias) is not { } current)
            {
                return Refused($"alias '{alias}' is not declared in switchyard.aliases or router_settings.model_group_alias");
            }

            Repoint(e, alias, previous);
            e.Set(entry, "percent", "0");
            e.Set(entry, "target", YamlTextEditor.Quote(current));
            foreach (var key in PromotionKeys)
            {
                e.Remove(entry, key);
            }

            return (c => c.Router.ModelGroupAlias.GetValueOrDefault(alias) == previous,
                $"alias '{alias}' points at '{previous}' again; '{current}' stays its canary at share 0");
        });

    /// <summary>Drops a promotion's record (the grace fallback ends, rollback is no longer possible).</summary>
    public static Task<Outcome> FinalizeAsync(string path, string alias, DateTimeOffset now)
        => EditAsync(path, now, e =>
        {
            var entry = Entry(alias);
            if (e.Scalar(entry.Append("promoted_from").ToArray()) is not { } previous)
            {
                return Refused($"alias '{alias}' has no promotion to finalize", "nothing_to_finalize");
            }

            if (e.Scalar(entry.Append("target").ToArray()) is null)
            {
                e.Remove(Canaries, alias);
            }
            else
            {
                foreach (var key in PromotionKeys)
                {
                    e.Remove(entry, key);
                }
            }

            return (c => c.Canaries.GetValueOrDefault(alias)?.PromotedFrom is null, $"alias '{alias}': the promotion from '{previous}' is final");
        });

    /// <summary>An automatic rollback's share of 0 for canary <paramref name="target"/> (nothing when the file no longer has it).</summary>
    public static Task<Outcome> StopCanaryAsync(string path, string alias, string target, DateTimeOffset now)
        => EditAsync(path, now, e =>
        {
            var entry = Entry(alias);
            if (e.Scalar(entry.Append("target").ToArray()) != target)
            {
                return Refused($"alias '{alias}' no longer has canary '{target}' in the file", "nothing_to_roll_back");
            }

            e.Set(entry, "percent", "0");
            return (c => c.Canaries.GetValueOrDefault(alias) is { IsActive: false }, $"canary '{target}' of alias '{alias}' set to share 0 in the file");
        });

    private static string[] Entry(string alias) => [.. Canaries, alias];

    private static (Func<GatewayConfig, bool>? Check, string Message) Refused(string message, string code = "promotion_refused")
        => (null, code + "\n" + message);

    /// <summary>The alias's group as the file declares it (switchyard.aliases wins, as in the loader).</summary>
    private static string? Primary(YamlTextEditor e, string alias)
        => e.Scalar("switchyard", "aliases", alias) ?? e.Scalar("switchyard", "aliases", alias, "model") ?? e.Scalar("router_settings", "model_group_alias", alias);

    /// <summary>Points the alias at <paramref name="group"/> wherever it is declared (both sections; a mapping entry keeps hidden and drop_params).</summary>
    private static void Repoint(YamlTextEditor e, string alias, string group)
    {
        var value = YamlTextEditor.Quote(group);
        if (e.Find("switchyard", "aliases", alias) is YamlDotNet.RepresentationModel.YamlMappingNode)
        {
            e.Set(["switchyard", "aliases", alias], "model", value);
        }
        else if (e.Find("switchyard", "aliases", alias) is not null)
        {
            e.Set(["switchyard", "aliases"], alias, value);
        }

        if (e.Find("router_settings", "model_group_alias", alias) is not null)
        {
            e.Set(["router_settings", "model_group_alias"], alias, value);
        }
    }

    private static async Task<Outcome> EditAsync(string path, DateTimeOffset now, Func<YamlTextEditor, (Func<GatewayConfig, bool>? Check, string Message)> edit)
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var original = await File.ReadAllTextAsync(path).ConfigureAwait(false);
            var editor = new YamlTextEditor(original);
            (Func<GatewayConfig, bool>? Check, string Message) planned;
            try
            {
                planned = edit(editor);
            }
            catch (Exception e) when (e is InvalidOperationException or YamlDotNet.Core.YamlException)
            {
                return new Outcome(false, "the config file could not be edited: " + e.Message, null);
            }

            if (planned.Check is null)
            {
                var split = planned.Message.IndexOf('\n', StringComparison.Ordinal);
                return new Outcome(false, planned.Message[(split + 1)..], null, planned.Message[..split]);
            }

            var candidate = path + ".edit.tmp";
            await File.WriteAllTextAsync(candidate, editor.Text).ConfigureAwait(false);
            try
            {
                var config = ConfigLoader.LoadFile(candidate);
                if (!planned.Check(config))
                {
                    File.Delete(candidate);
                    return new Outcome(false, "the edited config does not say what was meant; the file is unchanged (edit it by hand)", null);
                }
            }
            catch (ConfigException e)
            {
                File.Delete(candidate);
                return new Outcome(false, "the edited config does not validate: " + string.Join("; ", e.Errors), null);
            }

            // Never overwrite an earlier backup: two edits within one second would otherwise lose the older file.
            var stamp = $"{path}.bak-{now:yyyyMMddHHmmss}";
            var backup = stamp;
            for (var n = 1; File.Exists(backup); n++)
            {
                backup = $"{stamp}-{n}";
            }

            File.Copy(path, backup, overwrite: false);
            File.Move(candidate, path, overwrite: true);
            return new Outcome(true, planned.Message, backup);
        }
        finally
        {
            Gate.Release();
        }
    }
}
