using System.Text.Json.Nodes;

namespace Switchyard.Core.Config;

/// <summary>One model_list entry, resolved: secrets read, defaults applied.</summary>
public sealed record DeploymentConfig
{
    /// <summary>Stable id (model_info.id, else derived from group, model and api_base); keys breaker state across reloads.</summary>
    public required string Id { get; init; }

    /// <summary>The model_name: the group this deployment serves.</summary>
    public required string ModelName { get; init; }

    /// <summary>The provider prefix as written (openai, hosted_vllm, ollama_chat, azure, anthropic, mock, ...).</summary>
    public required string Provider { get; init; }

    /// <summary>The adapter family: openai, azure, anthropic or mock.</summary>
    public required string Family { get; init; }

    /// <summary>The provider's model id (the part after the first slash); an Azure deployment name for azure/.</summary>
    public required string Model { get; init; }

    /// <summary>"provider/model" as written in litellm_params.model: the name logs, spend rows and summaries show.</summary>
    public string QualifiedModel
    {
        get => _qualifiedModel ??= Provider + "/" + Model;
        init => _qualifiedModel = value;
    }

    private string? _qualifiedModel;

    public string? ApiBase { get; init; }
    public string? ApiKey { get; init; }
    public string? ApiVersion { get; init; }
    public required TimeSpan Timeout { get; init; }
    public required TimeSpan StreamTimeout { get; init; }
    public int? MaxRetries { get; init; }
    public int? Rpm { get; init; }
    public int? Tpm { get; init; }
    public double Weight { get; init; } = 1;
    public int Order { get; init; } = int.MaxValue;
    public string? Region { get; init; }

    /// <summary>Request defaults (max_tokens, temperature, ...) added when the caller did not set them.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Defaults { get; init; } = new Dictionary<string, JsonNode?>();

    public string? BaseModel { get; init; }
    public int? MaxInputTokens { get; init; }

    /// <summary>
    /// model_info.mode (LiteLLM's names: chat, completion, embedding, image_generation, moderation); null takes every
    /// operation the provider family speaks. Which operations a mode takes: <see cref="DeploymentModes"/>.
    /// </summary>
    public string? Mode { get; init; }
    public decimal? InputCostPerToken { get; init; }
    public decimal? OutputCostPerToken { get; init; }

    /// <summary>Dollars per rerank search unit (LiteLLM <c>input_cost_per_query</c>; Cohere bills rerank this way).</summary>
    public decimal? InputCostPerQuery { get; init; }

    /// <summary>Dollars per prompt token read from the provider's cache (LiteLLM <c>cache_read_input_token_cost</c>).</summary>
    public decimal? CacheReadCostPerToken { get; init; }

    /// <summary>Dollars per prompt token written to a 5-minute cache (LiteLLM <c>cache_creation_input_token_cost</c>).</summary>
    public decimal? CacheWriteCostPerToken { get; init; }

    /// <summary>Dollars per prompt token written to a 1-hour cache (LiteLLM <c>cache_creation_input_token_cost_above_1hr</c>).</summary>
    public decimal? CacheWrite1hCostPerToken { get; init; }

    /// <summary>Used only when no other deployment of its group is enabled (offline default config).</summary>
    public bool OfflineStandby { get; init; }

    /// <summary>
    /// Whether <c>POST /v1/responses</c> goes to this deployment as it is (its <c>/responses</c> endpoint) rather than
    /// translated to Chat Completions: <c>litellm_params.responses: native|chat</c>, native by default for api.openai.com.
    /// </summary>
    public bool NativeResponses { get; init; }

    /// <summary>
    /// litellm_params.drop_params (else litellm_settings.drop_params): a request parameter this deployment's provider
    /// has no equivalent for (logprobs, seed, ... on Anthropic) is dropped and named in the
    /// <c>x-switchyard-dropped-params</c> response header; when false (the default) the request is refused with
    /// 400 <c>unsupported_value</c> naming it.
    /// </summary>
    public bool DropParams { get; init; }

    /// <summary>
    /// litellm_params.organization: sent as the <c>OpenAI-Organization</c> header (OpenAI and OpenAI-compatible deployments).
    /// </summary>
    public string? Organization { get; init; }

    /// <summary>litellm_params.extra_headers: added to every upstream request of this deployment.</summary>
    public IReadOnlyDictionary<string, string> ExtraHeaders { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// An o-series reasoning model (<c>azure/o_series/NAME</c>, where <c>o_series/</c> is LiteLLM's routing hint, or a
    /// model named o1, o3, o4-mini, ...): takes max_completion_tokens and reasoning_effort rather than max_tokens.
    /// </summary>
    public bool OSeries { get; init; }

    /// <summary>
    /// The entry cannot be served whatever the environment (e.g. <c>model: azure/</c> with no deployment name): disabled
    /// with a finding while the rest of the file loads. A file whose every entry is unusable is refused.
    /// </summary>
    public bool Unusable { get; init; }

    /// <summary>False when a secret it needs is missing; the reason is in <see cref="DisabledReason"/>.</summary>
    public bool Enabled { get; init; } = true;
    public string? DisabledReason { get; init; }

    /// <summary>Bedrock deployments: the AWS credentials and region requests are signed with (SigV4).</summary>
    public AwsSettings? Aws { get; init; }

    /// <summary>Vertex AI deployments: the project, location and Google credentials requests are made with.</summary>
    public VertexSettings? Vertex { get; init; }

    /// <summary>Mock provider behaviour (mock/ only): fixed reply, latency, failure injection.</summary>
    public MockSettings? Mock { get; init; }

    /// <summary>
    /// litellm_params.tags: under router_settings.enable_tag_filtering, the request tags this deployment serves
    /// ("default": requests without tags, and tagged ones nothing else serves). See <see cref="Routing.TagFilter"/>.
    /// </summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// litellm_params.model names no provider (<c>model: "*"</c>): on a wildcard route the provider is then the one the
    /// name requested starts with (<c>anthropic/claude-x</c>), else openai. See <see cref="Routing.WildcardRoutes"/>.
    /// </summary>
    public bool ProviderFromModel { get; init; }

    /// <summary>Whether model_name is a wildcard pattern (<c>*</c>, <c>openai/*</c>): a template, not a group a caller names.</summary>
    public bool IsWildcard => Routing.WildcardPattern.IsPattern(ModelName);
}

public sealed record MockSettings
{
    public string? Response { get; init; }
    public TimeSpan Latency { get; init; }
    public int? FailStatus { get; init; }
}
