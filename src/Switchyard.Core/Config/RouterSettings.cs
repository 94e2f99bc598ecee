namespace Switchyard.Core.Config;

public enum RoutingStrategy
{
    SimpleShuffle,
    LeastBusy,
    LatencyBased,

    /// <summary>
    /// LiteLLM's usage-based-routing(-v2): the deployment with the most rpm/tpm headroom this minute
    /// (<see cref="Routing.UsageHeadroom"/>); deployments without limits count as having all of theirs.
    /// </summary>
    UsageBased,
}

/// <summary>router_settings, resolved.</summary>
public sealed record RouterSettings
{
    public RoutingStrategy Strategy { get; init; } = RoutingStrategy.SimpleShuffle;
    public int NumRetries { get; init; } = 2;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);
    public TimeSpan? StreamTimeout { get; init; }

    /// <summary>Minimum wait before a retry (LiteLLM retry_after).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.Zero;

    /// <summary>Base delay of the exponential backoff between retries.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest single wait between retries; a Retry-After above it ends retries on that group.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ContextWindowFallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    public IReadOnlyList<string> DefaultFallbacks { get; init; } = [];

    /// <summary>
    /// litellm_settings.default_model: the model group (or alias) a request goes to when the model it names is no alias,
    /// group or wildcard match; null: such a request is a 404 naming the nearest names.
    /// </summary>
    public string? DefaultModel { get; init; }
    public int MaxFallbacks { get; init; } = 5;
    public RetryPolicy RetryPolicy { get; init; } = new();

    /// <summary>alias -> model group (router_settings.model_group_alias plus Switchyard aliases).</summary>
    public IReadOnlyDictionary<string, string> ModelGroupAlias { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// litellm_settings.drop_params: the default of every deployment's <see cref="DeploymentConfig.DropParams"/>
    /// (request parameters a provider has no equivalent for are dropped and reported instead of refused).
    /// </summary>
    public bool DropParams { get; init; }

    /// <summary>
    /// router_settings.enable_tag_filtering: a request's tags (its <c>tags</c> / <c>metadata.tags</c>, its key's and team's
    /// metadata tags) choose among a group's deployments by their litellm_params.tags (<see cref="Routing.TagFilter"/>).
    /// </summary>
    public bool EnableTagFiltering { get; init; }

    /// <summary>router_settings.tag_filtering_match_any (default true): one shared tag selects a deployment; false: all of the request's.</summary>
    public bool TagFilteringMatchAny { get; init; } = true;

    /// <summary>Aliases hidden from /v1/models (model_group_alias entries with hidden: true).</summary>
    public IReadOnlySet<string> HiddenAliases { get; init; } = new HashSet<string>();

    /// <summary>
    /// Aliases that opt in to drop_params (<c>alias: {model: group, drop_params: true}</c> in model_group_alias or
    /// switchyard.aliases): a request made through one has parameters its deployment's provider has no equivalent for
    /// dropped and reported, as if every deployment it reaches had <see cref="DeploymentConfig.DropParams"/>.
    /// </summary>
    public IReadOnlySet<string> DropParamsAliases { get; init; } = new HashSet<string>();

    /// <summary>
    /// litellm_settings.default_params: request defaults of every deployment (a deployment's own litellm_params
    /// defaults win), added when the caller did not send them.
    /// </summary>
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> DefaultParams { get; init; } = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>();
}

/// <summary>LiteLLM retry_policy: retries per error class; null means router num_retries.</summary>
public sealed record RetryPolicy
{
    public int? TimeoutErrorRetries { get; init; }
    public int? RateLimitErrorRetries { get; init; }
    public int? InternalServerErrorRetries { get; init; }
    public int? AuthenticationErrorRetries { get; init; }
    public int? BadRequestErrorRetries { get; init; }
    public int? ContentPolicyViolationErrorRetries { get; init; }
}
