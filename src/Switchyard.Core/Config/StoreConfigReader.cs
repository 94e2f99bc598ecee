using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.store, switchyard.spend and switchyard.responses: where durable state lives and how long it is kept.</summary>
internal static class StoreConfigReader
{
    private static readonly HashSet<string> StoreKeys = ["sqlite_path", "encryption_key", "audit_retention"];
    private static readonly HashSet<string> SpendKeys = ["flush_interval", "batch_size", "retention", "journal", "journal_fsync"];
    private static readonly HashSet<string> ResponsesKeys = ["retention"];

    public static StoreSettings Read(YamlWalker w, YamlNode? general, YamlNode? store, YamlNode? spend, YamlNode? responses, SecretResolver secrets)
    {
        var s = new StoreSettings { DatabaseUrl = DatabaseUrlReader.Read(w, general, secrets) };
        foreach (var (k, v, p) in w.Entries(w.Mapping(store, "switchyard.store"), "switchyard.store", StoreKeys))
        {
            if (k == "encryption_key")
            {
                s = ReadEncryptionKey(w, v, p, s, secrets);
                continue;
            }

            if (k == "audit_retention")
            {
                s = s with { AuditRetention = w.Duration(v, p) is { } keep && keep > TimeSpan.Zero ? keep : null };
                continue;
            }

            if (w.String(v, p) is { } path)
            {
                s = s with { SqlitePath = secrets.ResolvePath(path) };
                if (s.DatabaseUrl is not null)
                {
                    w.Warn(p, v, "not used: the store is PostgreSQL (general_settings.database_url or DATABASE_URL)");
                }
            }
        }

        if (s.EncryptionKey is null)
        {
            foreach (var name in new[] { "SWITCHYARD_ENCRYPTION_KEY", "LITELLM_SALT_KEY" })
            {
                if (secrets.Variable(name) is { } fromEnv)
                {
                    s = s with { EncryptionKey = fromEnv, EncryptionKeySource = name };
                    break;
                }
            }
        }

        foreach (var (k, v, p) in w.Entries(w.Mapping(spend, "switchyard.spend"), "switchyard.spend", SpendKeys))
        {
            if (k == "journal")
            {
                s = ReadJournal(w, v, p, s, secrets);
                continue;
            }

            s = k switch
            {
                "flush_interval" => s with { SpendFlushInterval = w.Duration(v, p) is { } d && d > TimeSpan.Zero ? d : s.SpendFlushInterval },
                "retention" => s with { SpendRetention = w.Duration(v, p) is { } r && r > TimeSpan.Zero ? r : null },
                "journal_fsync" => s with { SpendJournalFsync = w.Bool(v, p) ?? s.SpendJournalFsync },
                _ => s with { SpendBatchSize = w.Int(v, p, 1, 100_000) ?? s.SpendBatchSize },
            };
        }

        foreach (var (_, v, p) in w.Entries(w.Mapping(responses, "switchyard.responses"), "switchyard.responses", ResponsesKeys))
        {
            if (w.Duration(v, p) is { } keep)
            {
                if (keep > TimeSpan.Zero)
                {
                    s = s with { ResponsesRetention = keep };
                }
                else
                {
                    w.Error(p, v, "must be longer than zero (send store: false to keep nothing)");
                }
            }
        }

        return s;
    }

    /// <summary>switchyard.store.encryption_key: inline or a reference; at least 16 characters.</summary>
    private static StoreSettings ReadEncryptionKey(YamlWalker w, YamlNode node, string path, StoreSettings s, SecretResolver secrets)
    {
        var key = secrets.ResolveOrError(w, w.String(node, path), path, node);
        if (key is null)
        {
            return s;
        }

        if (key.Length < 16)
        {
            w.Error(path, node, "must be at least 16 characters (for example the output of: openssl rand -base64 32)");
            return s;
        }

        return s with { EncryptionKey = key, EncryptionKeySource = "switchyard.store.encryption_key" };
    }

    /// <summary>switchyard.spend.journal: a file path, relative to the config file's folder like sqlite_path.</summary>
    private static StoreSettings ReadJournal(YamlWalker w, YamlNode node, string path, StoreSettings s, SecretResolver secrets)
    {
        var text = w.String(node, path);
        if (text is null)
        {
            return s;
        }

        if (text.Trim().Length == 0 || text.EndsWith('/') || text.EndsWith('\\') || text.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
        {
            w.Error(path, node, "must be a file path (for example ./spend.journal)");
            return s;
        }

        return s with { SpendJournalPath = secrets.ResolvePath(text.Trim()) };
    }
}
