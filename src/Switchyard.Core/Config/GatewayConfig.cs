namespace Switchyard.Core.Config;

/// <summary>An immutable, validated configuration snapshot; swapped whole on reload.</summary>
public sealed record GatewayConfig
{
    public ServerSettings Server { get; init; } = new();
    public AuthSettings Auth { get; init; } = new();
    public RouterSettings Router { get; init; } = new();
    public BreakerSettings Breaker { get; init; } = new();
    public IReadOnlyList<DeploymentConfig> Deployments { get; init; } = [];
    public StoreSettings Store { get; init; } = new();

    /// <summary>What replicas share: Redis for limits, budgets and (opt-in) breakers (docs/scaling.md).</summary>
    public SharedStateSettings Shared { get; init; } = new();
    public Alerts.AlertSettings Alerts { get; init; } = new();
    public Telemetry.TelemetrySettings Telemetry { get; init; } = new();

    /// <summary>switchyard.access_log: one JSON line per request.</summary>
    public AccessLogSettings AccessLog { get; init; } = new();

    /// <summary>litellm_settings.cache / cache_params and switchyard.cache: exact-match response caching.</summary>
    public CacheSettings Cache { get; init; } = new();

    /// <summary>litellm_settings.success_callback / failure_callback / callbacks: what maps to a built-in exporter or the webhook.</summary>
    public CallbackSettings Callbacks { get; init; } = new();

    /// <summary>Aliases that send a share of their traffic to a canary group (switchyard.canaries).</summary>
    public IReadOnlyDictionary<string, CanaryConfig> Canaries { get; init; } = new Dictionary<string, CanaryConfig>();

    /// <summary>switchyard.reload.watch: reload when the config file changes (opt-in).</summary>
    public bool WatchConfigFile { get; init; }

    /// <summary>Tenants declared in the file (switchyard.tenants); they win over admin-API changes.</summary>
    public IReadOnlyList<Tenancy.TenantRecord> Tenants { get; init; } = [];

    /// <summary>Unsupported keys, disabled deployments and other things the operator should know at start.</summary>
    public IReadOnlyList<ConfigDiagnostic> Warnings { get; init; } = [];

    public string? SourcePath { get; init; }

    /// <summary>
    /// <c>sha256:</c> and 64 hex digits over the file's text and every value it took from outside (environment
    /// variables, secret files, the master key file), so replicas running the same config report the same hash and drift
    /// shows (/health/readiness, switchyard_config_info, switchyard doctor --url A --url B). Secrets enter only hashed.
    /// Null for a config built in code.
    /// </summary>
    public string? ConfigHash { get; init; }

    /// <summary>
    /// <see cref="ConfigFileHash"/> of the file's text as it was loaded (null when not loaded from a file): doctor
    /// compares it with the file on disk to notice an edit that was not reloaded.
    /// </summary>
    public string? SourceFileHash { get; init; }

    /// <summary>
    /// Every value the loader read from an <c>os.environ/</c> or <c>file:</c> reference, and the master keys: what a
    /// rendering of the config (config show, GET /config) must never print.
    /// </summary>
    public IReadOnlyCollection<string> SecretValues { get; init; } = [];

    /// <summary>Findings that need no action (printed at start as information, not counted as warnings).</summary>
    public IReadOnlyList<ConfigDiagnostic> Notices { get; init; } = [];

    /// <summary>general_settings.store_model_in_db: models may come from the store, so an empty model_list is allowed.</summary>
    public bool StoreModelInDb { get; init; }

    /// <summary>Secret files the config reads (file: references, master_key_file).</summary>
    public IReadOnlyList<string> SecretFiles { get; init; } = [];
}

/// <summary>A finding about the config file: where it is and what is wrong.</summary>
public sealed record ConfigDiagnostic(string Path, string Message, int? Line = null)
{
    public override string ToString() => Line is { } l ? $"{Path} (line {l}): {Message}" : $"{Path}: {Message}";
}

public sealed class ConfigException(IReadOnlyList<ConfigDiagnostic> errors)
    : Exception("invalid configuration:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<ConfigDiagnostic> Errors { get; } = errors;
}
