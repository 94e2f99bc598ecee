using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads master keys (general_settings.master_key, switchyard.master_keys, switchyard.master_key_file) and switchyard.auth.</summary>
internal static class AuthConfigReader
{
    private static readonly HashSet<string> AuthKeys = ["allow_admin_invoke", "master_key_invoke"];

    public static AuthSettings Read(YamlWalker w, YamlNode? general, YamlNode? masterKeys, YamlNode? masterKeyFile, SecretResolver secrets, string host)
    {
        var keys = new List<MasterKey>();
        void Add(string? raw, DateTimeOffset? validUntil, string path, YamlNode node)
        {
            if (raw is null)
            {
                return;
            }

            var value = secrets.Resolve(raw, out var reason);
            if (value is null)
            {
                w.Warn(path, node, reason + "; this master key is not active");
                return;
            }

            if (value.Length == 0)
            {
                w.Error(path, node, "a master key must not be empty");
                return;
            }

            if (value.Length < MasterKey.MinLength)
            {
                if (MasterKey.ShortKeyRefusal(host) is { } refusal)
                {
                    w.Error(path, node, refusal);
                    return;
                }

                w.Warn(path, node, $"INSECURE: the master key is only {value.Length} characters (LiteLLM's quick-start key?); accepted only because the gateway listens on loopback ({host}), where anyone on this machine can still guess it. Set a long random key (or remove it: switchyard.master_key_file generates one) before binding to another address");
            }

            keys.Add(new MasterKey(value, validUntil));
        }

        // general_settings' shape and its other keys are GeneralSettingsReader's.
        if (YamlWalker.Child(general, "general_settings", "master_key") is (var mk, var mkPath))
        {
            Add(w.Reference(mk, mkPath), null, mkPath, mk);
        }

        var seq = masterKeys is YamlScalarNode ? null : w.Sequence(masterKeys, "switchyard.master_keys");
        for (var i = 0; seq is not null && i < seq.Children.Count; i++)
        {
            var path = $"switchyard.master_keys[{i}]";
            var item = seq.Children[i];
            if (item is YamlMappingNode map)
            {
                string? key = null;
                DateTimeOffset? until = null;
                foreach (var (k, v, p) in w.Entries(map, path, new HashSet<string> { "key", "valid_until" }))
                {
                    if (k == "key")
                    {
                        key = w.Reference(v, p);
                    }
                    else if (w.String(v, p) is { } text)
                    {
                        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
                        {
                            until = t;
                        }
                        else
                        {
                            w.Error(p, v, $"must be an ISO 8601 time such as 2026-12-01T00:00:00Z, got '{text}'");
                        }
                    }
                }

                if (key is null)
                {
                    w.Error(path + ".key", item, "is required");
                }

                Add(key, until, path, item);
            }
            else
            {
                Add(w.Reference(item, path), null, path, item);
            }
        }

        string? file = null;
        if (w.String(masterKeyFile, "switchyard.master_key_file") is { } f)
        {
            file = secrets.ResolvePath(f);
            if (keys.Count == 0)
            {
                var generated = MasterKeyFile.ReadOrCreate(file);
                secrets.Fingerprint.File(file, generated);
                keys.Add(new MasterKey(generated, null));
            }
        }

        return new AuthSettings { MasterKeys = keys.DistinctBy(k => k.Value).ToArray(), MasterKeyFile = file };
    }

    public static AuthSettings ReadOptions(YamlWalker w, YamlNode? node, AuthSettings auth)
    {
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.auth"), "switchyard.auth", AuthKeys))
        {
            auth = k == "allow_admin_invoke"
                ? auth with { AllowAdminInvoke = w.Bool(v, p) ?? auth.AllowAdminInvoke }
                : auth with { MasterKeyInvoke = w.Bool(v, p) ?? auth.MasterKeyInvoke };
        }

        return auth;
    }
}
