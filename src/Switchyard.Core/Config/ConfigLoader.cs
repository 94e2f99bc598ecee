using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Loads a LiteLLM-compatible config.yaml plus the <c>switchyard:</c> section into a validated
/// <see cref="GatewayConfig"/>. Every error is collected with its path and line; unsupported keys become warnings.
/// </summary>
public static class ConfigLoader
{
    private static readonly HashSet<string> TopKeys = ["model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables", "switchyard"];
    private static readonly HashSet<string> SwitchyardKeys = ["server", "master_keys", "master_key_file", "aliases", "breaker", "retry", "auth", "store", "spend", "tenants", "alerts", "reload", "telemetry", "canaries", "responses", "shared", "access_log", "cache", "compat"];
    private static readonly HashSet<string> ReloadKeys = ["watch"];

    public static GatewayConfig LoadFile(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigDiagnostic(path, $"cannot read config file ({e.Message})")]);
        }

        var full = Path.GetFullPath(path);
        return Load(text, Path.GetDirectoryName(full) ?? ".", environment) with { SourcePath = full, SourceFileHash = ConfigFileHash.Of(text) };
    }

    public static GatewayConfig Load(string yaml, string baseDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var w = new YamlWalker();
        var root = w.Mapping(YamlDocumentReader.Read(yaml, w, out var broken), "(root)");
        if (root is null)
        {
            throw new ConfigException([.. w.Errors, .. broken ? Array.Empty<ConfigDiagnostic>() : [new ConfigDiagnostic("(root)", "the file is empty; it needs at least model_list")]]);
        }

        var sections = w.Entries(root, "", TopKeys).ToDictionary(e => e.Key, e => e);
        YamlNode? Section(string name) => sections.TryGetValue(name, out var e) ? e.Value : null;

        var fileEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(w.Mapping(Section("environment_variables"), "environment_variables"), "environment_variables"))
        {
            if (w.String(v, p) is { } s)
            {
                fileEnv[k] = s;
            }
        }

        var secrets = new SecretResolver(environment, fileEnv, baseDirectory);
        w.Environment = secrets;
        var switchyard = w.Mapping(Section("switchyard"), "switchyard");
        var sw = w.Entries(switchyard, "switchyard", SwitchyardKeys).ToDictionary(e => e.Key, e => e);
        YamlNode? Sw(string name) => sw.TryGetValue(name, out var e) ? e.Value : null;

        var acknowledged = CompatConfigReader.Read(w, Sw("compat"));
        var general = GeneralSettingsReader.Read(w, Section("general_settings"), acknowledged, secrets);
        var (router, allowedFails, cooldown) = RouterConfigReader.Read(w, Section("router_settings"), Section("litellm_settings"));
        var server = ServerConfigReader.Read(w, Sw("server"));
        var breaker = BreakerConfigReader.Read(w, Sw("breaker"), allowedFails, cooldown);
        router = RouterConfigReader.ReadRetry(w, Sw("retry"), router);

        var deployments = ModelListReader.Read(w, Section("model_list"), secrets, router, general.StoreModelInDb, broken);
        router = AliasConfigReader.Merge(w, router, Sw("aliases"));
        var auth = AuthConfigReader.Read(w, Section("general_settings"), Sw("master_keys"), Sw("master_key_file"), secrets, server.Host);
        auth = AuthConfigReader.ReadOptions(w, Sw("auth"), auth);
        var store = StoreConfigReader.Read(w, Section("general_settings"), Sw("store"), Sw("spend"), Sw("responses"), secrets);
        if (general.SpendRetention is { } keep && store.SpendRetention is null)
        {
            store = store with { SpendRetention = keep }; // switchyard.spend.retention wins when both are set
        }
        var shared = SharedStateConfigReader.Read(w, Section("router_settings"), Sw("shared"), secrets, store.DatabaseUrl is not null);
        var tenants = TenantConfigReader.Read(w, Sw("tenants"));
        var alerts = AlertsConfigReader.Read(w, Sw("alerts"), secrets);
        alerts = alerts with { Sinks = [.. alerts.Sinks, .. general.AlertSinks] };
        var telemetry = TelemetryConfigReader.Read(w, Sw("telemetry"));
        var accessLog = AccessLogConfigReader.Read(w, Sw("access_log"), secrets);
        var cache = CacheConfigReader.Read(w, Section("litellm_settings"), Sw("cache"), secrets, shared);
        var callbacks = CallbackConfigReader.Read(w, Section("litellm_settings"), secrets);
        var watch = false;
        foreach (var (_, v, p) in w.Entries(w.Mapping(Sw("reload"), "switchyard.reload"), "switchyard.reload", ReloadKeys))
        {
            watch = w.Bool(v, p) ?? false;
        }

        if (!broken)
        {
            // with a section lost to a syntax error, names it defined would be reported missing: noise, not findings
            ConfigReferenceValidator.Validate(w, deployments, router);
        }

        var canaries = CanaryConfigReader.Read(w, Sw("canaries"), deployments, router);

        if (w.Errors.Count > 0)
        {
            throw new ConfigException(w.Errors);
        }

        return new GatewayConfig
        {
            Server = server,
            Auth = auth,
            Router = router,
            Breaker = breaker,
            Deployments = deployments,
            Store = store,
            Shared = shared,
            Tenants = tenants,
            Alerts = alerts,
            Telemetry = telemetry,
            AccessLog = accessLog,
            Cache = cache,
            Callbacks = callbacks,
            Canaries = canaries,
            SecretFiles = [.. secrets.FilesRead.Concat(auth.MasterKeyFile is { } mkf ? [mkf] : []).Distinct()],
            WatchConfigFile = watch,
            Warnings = w.Warnings,
            Notices = w.Notices,
            StoreModelInDb = general.StoreModelInDb,
            ConfigHash = secrets.Fingerprint.Compute(yaml),
            SecretValues = [.. secrets.ValuesRead, .. auth.MasterKeys.Select(k => k.Value), .. store.EncryptionKey is { } ek ? [ek] : Array.Empty<string>()],
        };
    }
}
